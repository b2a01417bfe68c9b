package io.cohort.node.launch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog that kills ranks when their agent or launcher dies. Its owner's death is what closing its pipe
 * looks like to it, so {@link RankReaper#close()} stands in for a SIGKILL of this JVM here; the agent's own test
 * ({@code CohortCommandTest}) kills a real agent.
 */
class RankReaperTest
{
    private static final ProcessStarter POSIX = ProcessStarter.fromEnvironment(Map.of());

    private final List<String> log = new ArrayList<>();
    private final RankReaper reaper = new RankReaper(log::add);
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopEverything()
    {
        reaper.close();
        started.forEach(Process::destroyForcibly);
    }

    private Process spawn(final String... command) throws IOException
    {
        final Process process = POSIX.start(new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        started.add(process);
        return process;
    }

    private Process startWithTheJdk(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).start();
        started.add(process);
        return process;
    }

    @Test
    void watchedRanksAreKilledWhenTheirOwnerGoes() throws Exception
    {
        final Process first = spawn("sleep", "300");
        final Process second = startWithTheJdk("sleep", "300");
        reaper.watch(first);
        reaper.watch(second);
        reaper.close();
        assertTrue(first.waitFor(5, TimeUnit.SECONDS), "the spawned rank outlived its owner");
        assertTrue(second.waitFor(5, TimeUnit.SECONDS), "the JDK-started rank outlived its owner");
        assertEquals(128 + 15, first.exitValue(), "SIGTERM first, as for a cancelled job");
        assertEquals(List.of(), log);
    }

    @Test
    void rankThatIgnoresSigtermGetsSigkill() throws Exception
    {
        final Process stubborn = spawn("sh", "-c", "trap '' TERM; while :; do sleep 0.1; done");
        reaper.watch(stubborn);
        reaper.close();
        assertTrue(stubborn.waitFor(5, TimeUnit.SECONDS), "a rank ignoring SIGTERM outlived its owner");
        assertEquals(128 + 9, stubborn.exitValue());
    }

    @Test
    void directoriesAndFilesGivenAreRemovedWhenTheOwnerGoesUnlessKept(@TempDir final Path dir) throws Exception
    {
        // A name beyond ASCII where this JVM's file names can hold one (they cannot under the C locale).
        final String name = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"))
            .newEncoder().canEncode("ö") ? "jöb a" : "job a";
        final Path job = Files.createDirectories(dir.resolve(name + "/staged"));
        final Path kept = Files.createDirectories(dir.resolve("kept"));
        // A path is a name, never a pattern: "odd*" must not take "oddity" with it.
        final Path odd = Files.createDirectories(dir.resolve("odd*"));
        Files.createDirectories(dir.resolve("oddity"));
        Files.writeString(dir.resolve("cohort-j1-0"), "ring");
        Files.writeString(dir.resolve("cohort-j1-1"), "ring");
        Files.writeString(dir.resolve("cohort-j2-0"), "another job's ring");
        reaper.removeWhenKilled(job.getParent());
        reaper.removeWhenKilled(kept);
        reaper.removeWhenKilled(odd);
        reaper.keep(kept);
        reaper.removeFilesWhenKilled(dir, "cohort-j1-");
        reaper.close();
        try (var left = Files.list(dir))
        {
            assertEquals(List.of("cohort-j2-0", "kept", "oddity"),
                left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void pathsWithQuotesAndSpacesAreRemovedExactly(@TempDir final Path dir) throws Exception
    {
        // The watchdog hands paths to the shell single-quoted; a quote inside must not end the quoting.
        final Path quoted = Files.createDirectories(dir.resolve("it's a job'/staged"));
        Files.createDirectories(dir.resolve("it"));
        Files.writeString(dir.resolve("cohort-j'3-0"), "ring");
        Files.writeString(dir.resolve("cohort-j'4-0"), "another job's ring");
        reaper.removeWhenKilled(quoted.getParent());
        reaper.removeFilesWhenKilled(dir, "cohort-j'3-");
        reaper.close();
        try (var left = Files.list(dir))
        {
            assertEquals(List.of("cohort-j'4-0", "it"), left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aLineCutShortByTheOwnerDyingMidWriteIsIgnored(@TempDir final Path dir) throws Exception
    {
        final Path work = Files.createDirectories(dir.resolve("work"));
        final Path done = Files.createDirectories(work.resolve("job-1"));
        final Path running = Files.createDirectories(work.resolve("job-2"));
        final String whole = "D:" + done;
        final String cut = "D:" + running;
        // The second line was being written when the owner died: it ends at "work", a parent of what it named.
        final String input = "rm " + whole.length() + " " + whole + "\nrm " + cut.length() + " D:" + work;
        final Process watchdog = new ProcessBuilder("/bin/sh", "-c", RankReaper.LAUNCH, RankReaper.WATCHDOG)
            .redirectErrorStream(true).start();
        try (var in = watchdog.getOutputStream())
        {
            in.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertTrue(watchdog.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the watchdog ends at end of input");
        assertFalse(Files.exists(done), "the whole line's directory is removed");
        assertTrue(Files.exists(running), "the cut line removes nothing");
    }

    @Test
    void whatARankStartedDiesWithItsProcessGroup() throws Exception
    {
        final Process rank = spawn("sh", "-c", "sleep 300 & echo CHILD $!; wait");
        reaper.watch(rank);
        final String line = new BufferedReader(new InputStreamReader(rank.getInputStream(),
            StandardCharsets.US_ASCII)).readLine();
        final long child = StartedProcesses.pidAfter("CHILD ", line);
        reaper.close();
        StartedProcesses.assertGone(child);
    }

    @Test
    void forgottenRankIsSpared() throws Exception
    {
        final Process kept = spawn("sleep", "300");
        final Process killed = spawn("sleep", "300");
        reaper.watch(kept);
        reaper.watch(killed);
        reaper.forget(kept);
        reaper.close();
        assertTrue(killed.waitFor(5, TimeUnit.SECONDS), "the watched rank outlived its owner");
        assertTrue(kept.isAlive(), "a forgotten rank was killed");
    }

    @Test
    void aProcessOfAJobDiesWithTheOwnerThoughItWasNeverWatched() throws Exception
    {
        // A rank the owner had started but not yet told the watchdog of when it died; and one of another job.
        final Process unwatched = startOfJob("unwatched");
        final Process other = startOfJob("unwatched0");
        reaper.killHoldersWhenKilled("COHORT_JOB_ID", jobOf("unwatched"));
        reaper.close();
        assertTrue(unwatched.waitFor(5, TimeUnit.SECONDS), "the job's unwatched process outlived its owner");
        assertTrue(other.isAlive(), "a process of another job was killed");
    }

    @Test
    void aForgottenJobIsSpared() throws Exception
    {
        final Process process = startOfJob("forgotten");
        reaper.killHoldersWhenKilled("COHORT_JOB_ID", jobOf("forgotten"));
        reaper.forgetHolders("COHORT_JOB_ID", jobOf("forgotten"));
        reaper.close();
        assertFalse(process.waitFor(1_500, TimeUnit.MILLISECONDS), "a forgotten job's process was killed");
    }

    @Test
    void aJobGivenTwiceAndForgottenOnceIsStillKilled() throws Exception
    {
        final Process process = startOfJob("twice");
        reaper.killHoldersWhenKilled("COHORT_JOB_ID", jobOf("twice"));
        reaper.killHoldersWhenKilled("COHORT_JOB_ID", jobOf("twice"));
        reaper.forgetHolders("COHORT_JOB_ID", jobOf("twice"));
        reaper.close();
        assertTrue(process.waitFor(5, TimeUnit.SECONDS), "a job still given once was spared");
    }

    /** A job id unique to this test run. */
    private static String jobOf(final String name)
    {
        return "reaper-test-" + name + "-" + ProcessHandle.current().pid();
    }

    /** A sleeping process of the job, started with the JDK and never watched. */
    private Process startOfJob(final String name) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder("sleep", "300");
        builder.environment().put("COHORT_JOB_ID", jobOf(name));
        final Process process = builder.start();
        started.add(process);
        return process;
    }

    @Test
    void watchdogLeadsASessionOfItsOwnSoSignalsToTheOwnersGroupSpareIt() throws Exception
    {
        reaper.watch(spawn("sleep", "300"));
        final ProcessHandle watchdog = reaper.watchdog();
        assertNotNull(watchdog);
        String stat = "";
        String session = "";
        // setsid(1) makes the session between its start and its exec of the shell: wait for the shell.
        for (int i = 0; i < 50 && !stat.contains("(sh)"); i++)
        {
            Thread.sleep(20);
            stat = Files.readString(Path.of("/proc/" + watchdog.pid() + "/stat"));
            // Fields after the command: state, ppid, pgrp, session.
            session = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
        }
        assertEquals(Long.toString(watchdog.pid()), session, "not a session leader: " + stat);
    }

    @Test
    void aWatchdogThatDiedIsReplacedAndToldEveryRankStillWatched() throws Exception
    {
        final Process first = spawn("sleep", "300");
        reaper.watch(first);
        final ProcessHandle old = reaper.watchdog();
        old.destroyForcibly();
        old.onExit().get(5, TimeUnit.SECONDS);
        final Process second = spawn("sleep", "300");
        reaper.watch(second);
        assertNotEquals(old.pid(), reaper.watchdog().pid());
        reaper.close();
        assertTrue(first.waitFor(5, TimeUnit.SECONDS), "the rank watched before the restart outlived its owner");
        assertTrue(second.waitFor(5, TimeUnit.SECONDS), "the rank watched after the restart outlived its owner");
    }

    @Test
    void aWatchdogKilledWhileRanksRunIsReplacedWithoutWaitingForTheNextRank() throws Exception
    {
        final Process rank = spawn("sleep", "300");
        reaper.watch(rank);
        final ProcessHandle old = reaper.watchdog();
        // One that dies within a second of its start is not replaced (a broken shell would spin).
        Thread.sleep(1_100);
        old.destroyForcibly();
        old.onExit().get(5, TimeUnit.SECONDS);
        ProcessHandle replacement = reaper.watchdog();
        for (int i = 0; i < 100 && (replacement == null || replacement.pid() == old.pid()); i++)
        {
            Thread.sleep(50);
            replacement = reaper.watchdog();
        }
        assertNotNull(replacement, "no new watchdog");
        reaper.close();
        assertTrue(rank.waitFor(5, TimeUnit.SECONDS), "the rank outlived its owner after the watchdog's replacement");
    }
}

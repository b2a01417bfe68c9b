package io.cohort.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-host jobs on a real cluster of network namespaces ({@code scripts/cluster.sh}): two hosts with their own
 * addresses and agents, so what crosses between them crosses a network stack. Needs root; skipped otherwise.
 */
class ClusterIT
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path STATE = Path.of(System.getProperty("java.io.tmpdir"), "cohort-cluster-it");

    /** The outcome of one command. */
    private record Result(int code, String out)
    {
    }

    @BeforeAll
    static void needsRoot() throws Exception
    {
        RootOnly.assume();
    }

    @BeforeEach
    void up() throws Exception
    {
        final Result up = script(60, "up", "2", "--slots", "2");
        assertEquals(0, up.code(), up.out());
    }

    @AfterEach
    void down() throws Exception
    {
        final Result down = script(60, "down");
        assertEquals(0, down.code(), down.out());
        final Result namespaces = command(10, List.of("ip", "netns", "list"));
        assertFalse(namespaces.out().contains("cohort-n"), "namespaces left: " + namespaces.out());
        assertFalse(Files.exists(STATE), "state left in " + STATE);
    }

    private static ProcessBuilder scriptBuilder(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("scripts/cluster.sh").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("COHORT_CLUSTER_DIR", STATE.toString());
        return builder;
    }

    private static Result script(final int seconds, final String... args) throws Exception
    {
        return finish(scriptBuilder(args).start(), seconds);
    }

    private static Result command(final int seconds, final List<String> command) throws Exception
    {
        return finish(new ProcessBuilder(command).redirectErrorStream(true).start(), seconds);
    }

    private static Result finish(final Process process, final int seconds) throws Exception
    {
        final CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process));
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("still running after " + seconds + " s: " + process.info().commandLine()
                .orElse("?"));
        }
        return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS));
    }

    private static String readAll(final Process process)
    {
        try
        {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private static String testClasses() throws Exception
    {
        return Path.of(ChattyJob.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static List<String> runArgs(final String... extra) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("run", "-n", "4", "--timeout", "120"));
        args.addAll(List.of(extra));
        args.addAll(List.of("-cp", testClasses(), ChattyJob.class.getName()));
        return args;
    }

    /** Starts a job that runs until it is stopped, and waits until it has checked its first exchanges. */
    private static Process startEndlessJob(final List<String> seen) throws Exception
    {
        final List<String> args = runArgs();
        args.add("forever");
        final Process run = scriptBuilder(args.toArray(String[]::new)).start();
        final BufferedReader lines = new BufferedReader(new InputStreamReader(run.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null)
        {
            seen.add(line);
            if (line.startsWith("CHATTY OK"))
            {
                break;
            }
        }
        assertTrue(line != null, "the job ended before its first check: " + seen);
        Thread.ofVirtual().start(() ->
        {
            try
            {
                String more;
                while ((more = lines.readLine()) != null)
                {
                    synchronized (seen)
                    {
                        seen.add(more);
                    }
                }
            }
            catch (final IOException ex)
            {
                // The launcher is gone.
            }
        });
        return run;
    }

    private static void assertNoRankLeft() throws Exception
    {
        final Result ps = command(10, List.of("pgrep", "-f", ChattyJob.class.getName()));
        assertTrue(ps.out().isBlank(), "ranks still running: " + ps.out());
    }

    @Test
    void jobAcrossTwoHostsTalksTcpBetweenThemAndSharedMemoryWithin() throws Exception
    {
        final Result run = script(120, runArgs("--report-bindings").toArray(String[]::new));
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("CHATTY OK 4 ranks"), run.out());
        assertTrue(run.out().contains("cohort: rank 0 on n1") && run.out().contains("shm to 1, tcp to 2-3"),
            run.out());
        assertTrue(run.out().contains("cohort: rank 3 on n2") && run.out().contains("tcp to 0-1, shm to 2"),
            run.out());
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm")))
        {
            assertTrue(shm.noneMatch(p -> p.getFileName().toString().startsWith("cohort-")
                && p.getFileName().toString().contains("-r")), "registered regions left in /dev/shm");
        }
    }

    @Test
    void collectivesAcrossHostsGoThroughSharedMemoryWithinEachHostAndAgreeWithTheSerialAnswer() throws Exception
    {
        final Set<Path> before = cohortShmFiles();
        final Result run = script(120, "run", "-n", "4", "--timeout", "120", "-cp", testClasses(),
            CollectivesAcrossHostsJob.class.getName());
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("COLLECTIVES OK 4 of 4 ranks"), run.out());
        final Set<Path> left = cohortShmFiles();
        left.removeAll(before);
        assertTrue(left.isEmpty(), "shared-memory files left: " + left);
    }

    private static Set<Path> cohortShmFiles() throws IOException
    {
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm")))
        {
            return shm.filter(p -> p.getFileName().toString().startsWith("cohort-"))
                .collect(Collectors.toCollection(HashSet::new));
        }
    }

    @Test
    void tcpForcedEverywhereRunsTheSameJob() throws Exception
    {
        final Result run = script(120, runArgs("--transport", "tcp", "--report-bindings").toArray(String[]::new));
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("cohort: rank 0 on n1") && run.out().contains("tcp to 1-3"), run.out());
    }

    @Test
    void sharedMemoryForcedAcrossHostsFailsBeforeAnyRankStartsNamingTheFix() throws Exception
    {
        final Result run = script(120, runArgs("--transport", "shm").toArray(String[]::new));
        assertEquals(2, run.code(), run.out());
        assertTrue(run.out().contains("--transport shm reaches only ranks on the same host, but this job's ranks are "
            + "placed on 2 hosts (10.77.0.1, 10.77.0.2); use --transport auto or tcp"), run.out());
        assertFalse(run.out().contains("CHATTY"), "a rank started: " + run.out());
        assertNoRankLeft();
    }

    @Test
    void unreachableHostFailsTheRunBeforeAnyRankStartsNamingTheHost() throws Exception
    {
        assertEquals(0, script(10, "link", "n2", "down").code());
        final Result run = script(60, runArgs().toArray(String[]::new));
        assertEquals(2, run.code(), run.out());
        assertTrue(run.out().contains("host 10.77.0.2:7470 is unreachable"), run.out());
        assertFalse(run.out().contains("CHATTY"), "a rank started: " + run.out());
        assertNoRankLeft();
    }

    @Test
    void killedAgentFailsTheRunNamingTheHostAndStopsEveryRank() throws Exception
    {
        final List<String> seen = new ArrayList<>();
        final Process run = startEndlessJob(seen);
        final String agent = Files.readString(STATE.resolve("n2.pid")).trim();
        command(10, List.of("kill", "-KILL", agent));
        assertTrue(run.waitFor(30, TimeUnit.SECONDS), "cohort run still running after the agent was killed");
        Thread.sleep(200);
        synchronized (seen)
        {
            assertEquals(1, run.exitValue(), String.join("\n", seen));
            assertTrue(seen.stream().anyMatch(l -> l.contains("lost n2 (10.77.0.2:7470)")), String.join("\n", seen));
        }
        assertNoRankLeft();
    }

    @Test
    void cutLinkFailsTheRunNamingTheHostAndNoRankWaitsForever() throws Exception
    {
        final List<String> seen = new ArrayList<>();
        final Process run = startEndlessJob(seen);
        assertEquals(0, script(10, "link", "n2", "down").code());
        assertTrue(run.waitFor(40, TimeUnit.SECONDS), "cohort run still running after the link was cut");
        Thread.sleep(200);
        synchronized (seen)
        {
            assertEquals(1, run.exitValue(), String.join("\n", seen));
            assertTrue(seen.stream().anyMatch(l -> l.contains("lost n2 (10.77.0.2:7470)")), String.join("\n", seen));
        }
        // The agent behind the cut link stops its ranks by itself once the launcher has been silent too long.
        for (int i = 0; i < 200; i++)
        {
            if (command(10, List.of("pgrep", "-f", ChattyJob.class.getName())).out().isBlank())
            {
                break;
            }
            Thread.sleep(100);
        }
        assertNoRankLeft();
    }
}

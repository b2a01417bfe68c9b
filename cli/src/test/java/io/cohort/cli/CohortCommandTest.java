package io.cohort.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code cohort} command line: what users type, and what they get back. */
class CohortCommandTest
{
    /** The outcome of one command. */
    private record Result(int code, String err)
    {
    }

    private static Result cohort(final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        final int code = cli.execute(args);
        return new Result(code, err.toString());
    }

    /** Starts {@code cohort run -n 2} of {@link SleepingJob} in a JVM of its own. */
    private static Process startSleepingJob() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String classes = Path.of(SleepingJob.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "run", "-n", "2", "-cp", classes, SleepingJob.class.getName()))
            .redirectErrorStream(true).start();
    }

    /** Waits until both ranks say READY; returns the job's id. */
    private static String readyJobId(final Process launcher) throws Exception
    {
        final BufferedReader output = new BufferedReader(
            new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
        String jobId = null;
        for (int ready = 0; ready < 2; )
        {
            final String line = output.readLine();
            assertTrue(line != null, "the job ended before both ranks were ready");
            if (line.startsWith("READY "))
            {
                jobId = line.substring("READY ".length()).trim();
                ready++;
            }
        }
        return jobId;
    }

    private static List<String> filesOfJob(final String jobId) throws Exception
    {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm")))
        {
            final String prefix = "cohort-" + jobId + "-";
            return files.map(Path::toString).filter(f -> Path.of(f).getFileName().toString().startsWith(prefix))
                .toList();
        }
    }

    @Test
    void secretIsSixtyFourHexDigitsReadableByItsOwnerOnly(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("keys/secret");
        final Result made = cohort("secret", "--out", file.toString());
        assertEquals(0, made.code(), made.err());
        assertTrue(Files.readString(file).trim().matches("[0-9a-f]{64}"), Files.readString(file));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    }

    @Test
    void existingSecretIsKeptUnlessForceIsGiven(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("secret");
        assertEquals(0, cohort("secret", "--out", file.toString()).code());
        final String first = Files.readString(file);
        final Result again = cohort("secret", "--out", file.toString());
        assertTrue(again.code() != 0, "a second secret replaced the first");
        assertTrue(again.err().contains(file + " already exists") && again.err().contains("--force"), again.err());
        assertEquals(first, Files.readString(file));
        assertEquals(0, cohort("secret", "--out", file.toString(), "--force").code());
        assertFalse(first.equals(Files.readString(file)), "--force kept the old secret");
    }

    @Test
    void unknownOptionIsRejectedByName()
    {
        final Result result = cohort("run", "--bogus", "-n", "2", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--bogus"), result.err());
    }

    @Test
    void rankCountBelowOneIsRejectedWithTheValue()
    {
        final Result result = cohort("run", "-n", "0", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("-n 0"), result.err());
    }

    @Test
    void optionsForAJobAcrossHostsAreRejectedWithoutHostsNamingTheFix()
    {
        final Result result = cohort("run", "-n", "2", "--map-by", "node", "--npernode", "1", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--map-by, --npernode apply only to a job across hosts: add --hosts"),
            result.err());
    }

    @Test
    void npernodeOfZeroIsRejectedWithTheValue()
    {
        final Result result = cohort("run", "-n", "2", "--hosts", "127.0.0.1:2", "--npernode", "0", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--npernode must be at least 1 (got 0)"), result.err());
    }

    @Test
    void headStartRefusesAPackageLimitBelowOneByteNamingTheValue(@TempDir final Path data)
    {
        final Result result = cohort("head", "start", "--data", data.toString(), "--max-package-bytes", "0");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--max-package-bytes 0 must be at least 1"), result.err());
    }

    @Test
    void headStartRefusesAPackageRetentionShorterThanTenMinutesNamingTheValueAndTheLeast(@TempDir final Path data)
    {
        final Result result = cohort("head", "start", "--data", data.toString(), "--package-retention", "5m");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--package-retention 5m is shorter than the least, 10m"), result.err());
    }

    @Test
    void headStartRefusesAPackageRetentionThatIsNotADuration(@TempDir final Path data)
    {
        final Result result = cohort("head", "start", "--data", data.toString(), "--package-retention", "a week");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--package-retention 'a week' is not a duration"), result.err());
    }

    @Test
    void missingJarIsNamed()
    {
        final Result result = cohort("run", "-n", "2", "no-such-solver.jar");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("no-such-solver.jar"), result.err());
    }

    @Test
    void executableAfterDoubleDashRunsOnEveryRank()
    {
        assertEquals(0, cohort("run", "-n", "2", "--", "true").code());
    }

    @Test
    void jobExitsWithTheFailingRanksCode()
    {
        assertEquals(3, cohort("run", "-n", "2", "--", "sh", "-c", "exit 3").code());
    }

    @Test
    void exportWithoutValueOfAnUnsetVariableIsRejected()
    {
        final Result result = cohort("run", "-n", "1", "-x", "COHORT_TEST_SURELY_UNSET", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("COHORT_TEST_SURELY_UNSET"), result.err());
    }

    @Test
    void benchmarkRejectsAnUnknownBufferKind()
    {
        final Result result = cohort("bench", "latency", "--buffer", "gpu");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("gpu"), result.err());
    }

    @Test
    void sigtermToTheLauncherOfACohortJobLeavesNoProcessAndNoSharedMemory() throws Exception
    {
        final Process launcher = startSleepingJob();
        final String jobId = readyJobId(launcher);
        final List<ProcessHandle> ranks = launcher.descendants().toList();
        assertFalse(filesOfJob(jobId).isEmpty(), "no region to clean");
        launcher.destroy();
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "the launcher did not stop on SIGTERM");
        for (final ProcessHandle rank : ranks)
        {
            rank.onExit().get(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), filesOfJob(jobId));
    }

    @Test
    void ranksOfALauncherKilledWithSigkillExitAndLeaveNoSharedMemory() throws Exception
    {
        final Process launcher = startSleepingJob();
        final String jobId = readyJobId(launcher);
        final List<ProcessHandle> ranks = launcher.descendants().toList();
        launcher.destroyForcibly();
        for (final ProcessHandle rank : ranks)
        {
            rank.onExit().get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), filesOfJob(jobId));
    }

    @Test
    void sigtermToTheLauncherStopsEveryRank() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process launcher = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "run", "-n", "3", "--", "sleep", "60")).redirectErrorStream(true).start();
        List<ProcessHandle> ranks = List.of();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ranks.size() < 3 && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            ranks = launcher.descendants().filter(p -> p.info().command().orElse("").endsWith("sleep")).toList();
        }
        assertEquals(3, ranks.size(), "the ranks did not start");
        launcher.destroy();
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "the launcher did not stop on SIGTERM");
        for (final ProcessHandle rank : ranks)
        {
            rank.onExit().get(5, TimeUnit.SECONDS);
            assertFalse(rank.isAlive(), "rank process " + rank.pid() + " outlived the launcher");
        }
    }
}

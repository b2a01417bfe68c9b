package io.cohort.node.launch;

import io.cohort.node.jobs.AllPairsJob;
import io.cohort.node.jobs.EarlyExitJob;
import io.cohort.node.jobs.EnvironmentJob;
import io.cohort.node.jobs.ExitJob;
import io.cohort.node.jobs.StressJob;
import io.cohort.node.jobs.WaitForPeerJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real jobs of separate JVMs, launched as {@code cohort run} launches them. */
class LocalLauncherTest
{
    private static final List<String> TEST_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xshare:auto");

    private static String testClasses()
    {
        try
        {
            return Path.of(AllPairsJob.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static LaunchSpec job(final int ranks, final Class<?> main, final String... args)
    {
        return new LaunchSpec(ranks, new Program.MainClass(List.of(testClasses()), main.getName()), List.of(args),
            Map.of(), TEST_JVM, false, Duration.ofMinutes(3));
    }

    /** The output of a finished job, and its exit code. */
    private record Outcome(int code, String out, String err)
    {
    }

    private static Outcome run(final LaunchSpec spec)
    {
        return run(spec, line -> { });
    }

    private static Outcome run(final LaunchSpec spec, final Consumer<String> onLine)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream outStream = new PrintStream(new LineWatcher(out, onLine), true, StandardCharsets.UTF_8);
        final int code = new LocalLauncher(outStream, new PrintStream(err, true, StandardCharsets.UTF_8)).run(spec);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The id of the job that printed it (rank 0 of the test jobs prints "JOB id"). */
    private static String jobIdOf(final String out)
    {
        return out.lines().filter(l -> l.startsWith("JOB ")).findFirst()
            .orElseThrow(() -> new AssertionError("no JOB line in: " + out)).substring("JOB ".length()).trim();
    }

    /** The job's shared-memory files (other tests' jobs on the machine may have theirs at the same time). */
    private static List<String> shmFilesOf(final String jobId) throws IOException
    {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm")))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("cohort-" + jobId + "-"))
                .toList();
        }
    }

    private static long childProcesses()
    {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 4, 8})
    void everyRankExchangesMessagesWithEveryOther(final int ranks) throws IOException
    {
        final Outcome outcome = run(job(ranks, AllPairsJob.class));
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("all-pairs OK on " + ranks + " ranks"), outcome.out());
        assertEquals(List.of(), shmFilesOf(jobIdOf(outcome.out())));
    }

    @Test
    void hundredThousandMessagesOfRandomSizesAndTagsArriveIntactAndInOrder()
    {
        final Outcome outcome = run(job(4, StressJob.class, "100000", "20261122"));
        assertEquals(0, outcome.code(), outcome.err());
        assertEquals(4, outcome.out().lines().filter(l -> l.startsWith("stress OK")).count(), outcome.out());
    }

    @Test
    void rankExitingWithThreeMakesTheJobExitThreeWithinTwoSecondsLeavingNothingBehind() throws IOException
    {
        final Outcome outcome = run(job(3, ExitJob.class, "3"));
        final long returned = System.currentTimeMillis();
        assertEquals(3, outcome.code(), outcome.err());
        final long exited = Long.parseLong(outcome.out().lines().filter(l -> l.startsWith("EXITING-AT "))
            .findFirst().orElseThrow().substring("EXITING-AT ".length()));
        assertTrue(returned - exited < 2_000, "the launcher took " + (returned - exited) + " ms");
        assertTrue(outcome.err().contains("rank 1 exited with code 3"), outcome.err());
        assertEquals(0, childProcesses());
        assertEquals(List.of(), shmFilesOf(jobIdOf(outcome.out())));
    }

    @Test
    void rankKilledWithSigkillFailsTheJobAndEverythingIsCleanedUp() throws IOException
    {
        final List<String> filesWhileRunning = new ArrayList<>();
        final Outcome outcome = run(job(3, WaitForPeerJob.class), line ->
        {
            try
            {
                if (line.startsWith("JOB "))
                {
                    filesWhileRunning.addAll(shmFilesOf(jobIdOf(line)));
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (line.startsWith("PID "))
            {
                ProcessHandle.of(Long.parseLong(line.substring(4).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        });
        assertNotEquals(0, outcome.code());
        assertTrue(outcome.err().contains("rank 0 exited with code 137 (killed by signal 9)"), outcome.err());
        assertEquals(0, childProcesses());
        // The job's files are found by its id while it runs, so finding none afterwards means they were removed.
        assertFalse(filesWhileRunning.isEmpty(), "no shared-memory files of the job while it ran");
        assertEquals(List.of(), shmFilesOf(jobIdOf(outcome.out())));
    }

    @Test
    void rankThatExitsWithoutJoiningFailsTheOthersInsteadOfHangingThem()
    {
        final Outcome outcome = run(job(3, EarlyExitJob.class));
        assertNotEquals(0, outcome.code());
        assertTrue(outcome.err().contains("rank 1 exited before joining the job"), outcome.err());
    }

    @Test
    void executableRanksFindTheirRankAndSizeInTheEnvironment()
    {
        final LaunchSpec spec = new LaunchSpec(3, new Program.Executable("sh"),
            List.of("-c", "echo rank=$COHORT_RANK size=$COHORT_SIZE pmi=$PMI_RANK"), Map.of(), List.of(), false,
            null);
        final Outcome outcome = run(spec);
        assertEquals(0, outcome.code(), outcome.err());
        for (int rank = 0; rank < 3; rank++)
        {
            assertTrue(outcome.out().contains("rank=" + rank + " size=3 pmi=" + rank), outcome.out());
        }
    }

    @Test
    void exportedVariablesReachEveryRankAndTaggedOutputNamesTheRank()
    {
        final LaunchSpec spec = new LaunchSpec(2, new Program.MainClass(List.of(testClasses()),
            EnvironmentJob.class.getName()), List.of("SOLVER_MODE"), Map.of("SOLVER_MODE", "fast"), TEST_JVM, true,
            null);
        final Outcome outcome = run(spec);
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("[1,0]<stdout>: rank=0 size=2 SOLVER_MODE=fast"), outcome.out());
        assertTrue(outcome.out().contains("[1,1]<stdout>: rank=1 size=2 SOLVER_MODE=fast"), outcome.out());
    }

    @Test
    void jobPastItsTimeoutIsStoppedWithExitCode124()
    {
        final LaunchSpec spec = new LaunchSpec(2, new Program.Executable("sleep"), List.of("30"), Map.of(),
            List.of(), false, Duration.ofSeconds(1));
        final Outcome outcome = run(spec);
        assertEquals(LocalLauncher.EXIT_TIMEOUT, outcome.code());
        assertTrue(outcome.err().contains("--timeout 1 s"), outcome.err());
        assertEquals(0, childProcesses());
    }

    @Test
    void rankStoppedAtItsTimeoutTakesWhatItStartedWithIt() throws Exception
    {
        final LaunchSpec spec = new LaunchSpec(1, new Program.Executable("sh"),
            List.of("-c", "sleep 300 & echo CHILD $!; wait"), Map.of(), List.of(), false, Duration.ofSeconds(1));
        final Outcome outcome = run(spec);
        assertEquals(LocalLauncher.EXIT_TIMEOUT, outcome.code());
        StartedProcesses.assertGone(StartedProcesses.pidAfter("CHILD ", outcome.out()));
    }

    @Test
    void missingJarIsNamedBeforeAnyRankStarts()
    {
        final LaunchException ex = assertThrows(LaunchException.class, () -> run(new LaunchSpec(2,
            new Program.Jar(Path.of("/nonexistent/solver.jar")), List.of(), Map.of(), List.of(), false, null)));
        assertTrue(ex.getMessage().contains("/nonexistent/solver.jar"), ex.getMessage());
    }

    @Test
    void missingMainClassIsNamedWithTheClasspath()
    {
        final LaunchException ex = assertThrows(LaunchException.class, () -> run(new LaunchSpec(2,
            new Program.MainClass(List.of(testClasses()), "org.example.Missing"), List.of(), Map.of(), List.of(),
            false, null)));
        assertTrue(ex.getMessage().contains("org.example.Missing") && ex.getMessage().contains(testClasses()),
            ex.getMessage());
    }

    @Test
    void missingExecutableIsNamed()
    {
        final LaunchException ex = assertThrows(LaunchException.class, () -> run(new LaunchSpec(1,
            new Program.Executable("no-such-program-xyz"), List.of(), Map.of(), List.of(), false, null)));
        assertTrue(ex.getMessage().contains("no-such-program-xyz"), ex.getMessage());
    }

    @Test
    void fewerThanOneRankIsRejectedWithTheValue()
    {
        final LaunchException ex = assertThrows(LaunchException.class, () -> new LaunchSpec(0,
            new Program.Executable("true"), List.of(), Map.of(), List.of(), false, null));
        assertTrue(ex.getMessage().contains("-n 0"), ex.getMessage());
    }

    @Test
    void timeoutLongerThanTheLimitIsRejectedNamingTheValueAndTheLimit()
    {
        final LaunchException ex = assertThrows(LaunchException.class, () -> new LaunchSpec(1,
            new Program.Executable("true"), List.of(), Map.of(), List.of(), false, Duration.ofSeconds(9223372037L)));
        assertTrue(ex.getMessage().contains("--timeout 9223372037") && ex.getMessage().contains("31622400"),
            ex.getMessage());
    }

    @Test
    void badTcpSettingInATcpOnlyJobIsReportedAsATcpProblem()
    {
        final LaunchSpec spec = new LaunchSpec(2, new Program.MainClass(List.of(testClasses()),
            AllPairsJob.class.getName()), List.of(), Map.of("COHORT_TRANSPORT", "tcp", "COHORT_TCP_PORT", "70000"),
            TEST_JVM, false, Duration.ofMinutes(3));
        final Outcome outcome = run(spec);
        assertNotEquals(0, outcome.code());
        assertTrue(outcome.err().contains("cannot set up its TCP transport: COHORT_TCP_PORT=70000"), outcome.err());
    }

    /** Passes output through while showing each line to a watcher, as it is written. */
    private static final class LineWatcher extends OutputStream
    {
        private final OutputStream target;
        private final Consumer<String> onLine;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineWatcher(final OutputStream target, final Consumer<String> onLine)
        {
            this.target = target;
            this.onLine = onLine;
        }

        @Override
        public synchronized void write(final int b) throws IOException
        {
            target.write(b);
            if (b == '\n')
            {
                onLine.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
            else
            {
                line.write(b);
            }
        }
    }
}

package io.cohort.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Starts {@code cohort ARGS} in a JVM of its own, started as the {@code cohort} script starts it. */
    private static Process cohortJvm(final Path log, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** A condition polled by {@link #awaitWhileAlive}. */
    @FunctionalInterface
    private interface Check
    {
        boolean holds() throws Exception;
    }

    /** Polls the condition every {@code pollMillis} ms until it holds; fails if the process ends first or 30 s pass. */
    private static void awaitWhileAlive(final Process process, final Path log, final String failure,
        final long pollMillis, final Check condition) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds())
        {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, failure + ": " + Files.readString(log));
            Thread.sleep(pollMillis);
        }
    }

    /** Sends SIGTERM and waits for the process to end. */
    private static void sigtermAndAwait(final Process process, final int seconds) throws InterruptedException
    {
        process.destroy();
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "the process did not stop on SIGTERM");
    }

    /** Whether the process has this file open (its descriptors in /proc), without touching the file itself. */
    private static boolean opens(final Process process, final Path file) throws IOException
    {
        // The links in /proc name real paths (symbolic links resolved); the file exists already (head init made it).
        final Path target = file.toRealPath();
        try (Stream<Path> descriptors = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd")))
        {
            return descriptors.anyMatch(fd ->
            {
                try
                {
                    return Files.readSymbolicLink(fd).equals(target);
                }
                catch (final IOException ex)
                {
                    return false; // closed meanwhile
                }
            });
        }
        catch (final java.nio.file.NoSuchFileException | java.io.UncheckedIOException ex)
        {
            return false; // the process has ended (before or while its descriptors were listed)
        }
    }

    /** Every live process on the machine with this exact argument (a unique one marks a test's ranks). */
    private static List<ProcessHandle> processesWithArgument(final String argument)
    {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
            .filter(p -> List.of(p.info().arguments().orElse(new String[0])).contains(argument)).toList();
    }

    /** Waits up to 30 s for this many processes with the argument; returns them. */
    private static List<ProcessHandle> awaitProcesses(final String argument, final int count, final Path log)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<ProcessHandle> found = processesWithArgument(argument);
        while (found.size() < count && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            found = processesWithArgument(argument);
        }
        assertTrue(found.size() >= count, "the ranks did not start: " + Files.readString(log));
        return found;
    }

    /** Waits up to 10 s for every process with the argument to be gone. */
    private static void assertNoneLeft(final String argument) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!processesWithArgument(argument).isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertEquals(List.of(), processesWithArgument(argument).stream().map(ProcessHandle::pid).toList(),
            "rank processes outlived their launcher");
    }

    private static void awaitLine(final Path log, final String text) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains(text))
        {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in: " + Files.readString(log));
            Thread.sleep(50);
        }
    }

    private static long jobDirectories(final Path workRoot) throws Exception
    {
        try (Stream<Path> dirs = Files.list(workRoot))
        {
            return dirs.filter(d -> d.getFileName().toString().startsWith("job-")).count();
        }
    }

    private static int freePort() throws Exception
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
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
    void agentPortOutsideThePortRangeIsRejectedWithTheValue()
    {
        final Result result = cohort("run", "-n", "1", "--hosts", "n1", "--agent-port", "99999", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--agent-port 99999 is not a port (1 to 65535"), result.err());
    }

    @Test
    void workDirectoryThatIsAFileIsNamedAsSuch(@TempDir final Path dir) throws Exception
    {
        final Path secret = dir.resolve("secret");
        assertEquals(0, cohort("secret", "--out", secret.toString()).code());
        final Path file = Files.writeString(dir.resolve("plain"), "x");
        final Result result = cohort("node", "start", "--listen", "127.0.0.1:0", "--secret", secret.toString(),
            "--work-dir", file.toString());
        assertEquals(2, result.code());
        assertTrue(result.err().contains("cohort node start: " + file + " exists and is not a directory"),
            result.err());
    }

    @Test
    void unknownTransportExportedWithXIsRejectedBeforeAnyRankStarts()
    {
        final Result result = cohort("run", "-n", "2", "-x", "COHORT_TRANSPORT=bogus", "--", "true");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("-x COHORT_TRANSPORT=bogus is not one of auto, shm, tcp"), result.err());
    }

    @Test
    void aNegativeBenchmarkSkipIsNamedBeforeAnyRankStarts()
    {
        final Result result = cohort("bench", "allreduce", "--skip-large", "-3");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--skip and --skip-large must be >= 0 (got 1000 and -3)"), result.err());
    }

    @Test
    void aBufferKindForABenchmarkThatTakesNoneIsRefusedNotIgnored()
    {
        final Result result = cohort("bench", "barrier", "--buffer", "native");
        assertEquals(2, result.code());
        assertTrue(result.err().contains("--buffer does not apply to barrier, which moves no data: leave it out"),
            result.err());
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

    @Test
    void ranksOfAnAgentKilledWithSigkillAreKilledToo(@TempDir final Path dir) throws Exception
    {
        final Path secret = dir.resolve("secret");
        assertEquals(0, cohort("secret", "--out", secret.toString()).code());
        final int port = freePort();
        final Process agent = cohortJvm(dir.resolve("agent.log"), "node", "start", "--listen", "127.0.0.1:" + port,
            "--slots", "2", "--name", "doomed", "--secret", secret.toString(), "--work-dir",
            dir.resolve("work").toString());
        awaitLine(dir.resolve("agent.log"), "listening on");
        // A unique argument marks this test's ranks among the machine's processes.
        final String marker = "600." + System.nanoTime() % 1_000_000;
        final Process run = cohortJvm(dir.resolve("run.log"), "run", "-n", "2", "--hosts", "127.0.0.1:2",
            "--agent-port", Integer.toString(port), "--secret", secret.toString(), "--report-bindings", "--",
            "sleep", marker);
        try
        {
            for (final ProcessHandle rank : awaitProcesses(marker, 2, dir.resolve("run.log")))
            {
                // What the watchdog finds them by, should the agent die between starting a rank and watching it.
                final String environment = Files.readString(Path.of("/proc", Long.toString(rank.pid()), "environ"));
                assertTrue(environment.matches("(?s)(.*\u0000)?COHORT_REAPER_MARK=[0-9a-f]{16}\u0000.*"),
                    "rank " + rank.pid() + " carries no reaper mark");
            }
            // Mid-job: the launcher has heard that the ranks started (it reports the bindings then). Killed before
            // that, the launch itself fails (exit 2), a race this test is not about.
            awaitLine(dir.resolve("run.log"), "cohort run: ranks [0, 1] on doomed");
            agent.destroyForcibly();
            assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
            assertNoneLeft(marker);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (jobDirectories(dir.resolve("work")) > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertEquals(0, jobDirectories(dir.resolve("work")), "the dead agent's job directory was left behind");
            assertTrue(run.waitFor(30, TimeUnit.SECONDS), "cohort run did not notice the agent's death");
            assertEquals(1, run.exitValue(), Files.readString(dir.resolve("run.log")));
        }
        finally
        {
            run.destroyForcibly();
            agent.destroyForcibly();
            processesWithArgument(marker).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void ranksOfALocalLauncherKilledWithSigkillAreKilledToo(@TempDir final Path dir) throws Exception
    {
        stopLauncherOnceRanksRunAndExpectNoneLeft(dir, 2, 2, true);
    }

    @Test
    void sigtermWhileRanksAreStillStartingLeavesNoRankRunning(@TempDir final Path dir) throws Exception
    {
        // SIGTERM once a few ranks run, while the launcher is still starting the rest.
        stopLauncherOnceRanksRunAndExpectNoneLeft(dir, 200, 3, false);
    }

    /** Runs sleeping ranks, signals their local launcher once {@code started} of them run, and checks none is left. */
    private static void stopLauncherOnceRanksRunAndExpectNoneLeft(final Path dir, final int ranks, final int started,
        final boolean sigkill) throws Exception
    {
        // A unique argument marks this test's ranks among the machine's processes.
        final String marker = "601." + System.nanoTime() % 1_000_000;
        final Process run = cohortJvm(dir.resolve("run.log"), "run", "-n", Integer.toString(ranks), "--", "sleep",
            marker);
        try
        {
            awaitProcesses(marker, started, dir.resolve("run.log"));
            if (sigkill)
            {
                run.destroyForcibly();
            }
            else
            {
                run.destroy();
                assertTrue(run.waitFor(20, TimeUnit.SECONDS), "the launcher did not stop on SIGTERM");
            }
            assertNoneLeft(marker);
        }
        finally
        {
            run.destroyForcibly();
            processesWithArgument(marker).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void sigtermToAHeadNodeStillStartingClosesItsStoreOnceTheStartEnds(@TempDir final Path dir) throws Exception
    {
        final Path data = dir.resolve("head");
        assertEquals(0, cohort("head", "init", "--data", data.toString(), "--advertise", "127.0.0.1:"
            + FreePorts.pair(), "--no-tls").code());
        final Path log = dir.resolve("head.log");
        final Path database = data.resolve("db").resolve("cohort.mv.db");
        final Process head = cohortJvm(log, "head", "start", "--data", data.toString());
        try
        {
            awaitWhileAlive(head, log, "the store was not opened", 1, () -> opens(head, database));
            // The database has just been opened: the API, the agent link and the scheduler are not up yet.
            sigtermAndAwait(head, 60);
        }
        finally
        {
            head.destroyForcibly();
        }
        final String output = Files.readString(log);
        assertTrue(output.contains("cohort head: stopped, store closed"), output);
        assertFalse(output.contains("Exception"), output);
    }

    @Test
    void sigtermToAHeadNodeBusyWritingStopsItWithoutAStoreError(@TempDir final Path dir) throws Exception
    {
        final Path data = dir.resolve("head");
        final int api = FreePorts.pair();
        assertEquals(0, cohort("head", "init", "--data", data.toString(), "--advertise", "127.0.0.1:" + api,
            "--no-tls").code());
        final Path log = dir.resolve("head.log");
        final Process head = cohortJvm(log, "head", "start", "--data", data.toString());
        Process agent = null;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger accepted = new AtomicInteger();
        final List<Thread> submitters = new ArrayList<>();
        try
        {
            awaitLine(log, "Head node serving");
            // A node that has joined, so the head node also records what its agent link reports as it goes down.
            agent = cohortJvm(dir.resolve("agent.log"), "node", "start", "--listen", "127.0.0.1:" + freePort(),
                "--slots", "1", "--name", "n1", "--join", data.resolve("join.json").toString(), "--work-dir",
                dir.resolve("work").toString());
            awaitLine(dir.resolve("agent.log"), "ready on");
            final String token = new ObjectMapper().readTree(data.resolve("client.json").toFile()).get("token")
                .asText();
            final HttpClient http = HttpClient.newHttpClient();
            // Making tokens writes to the store as submitting does, and needs no node.
            final HttpRequest write = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/api/v1/tokens"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"u\", \"role\": \"user\"}")).build();
            for (int t = 0; t < 4; t++)
            {
                submitters.add(Thread.ofVirtual().start(() ->
                {
                    while (!stop.get())
                    {
                        try
                        {
                            if (http.send(write, HttpResponse.BodyHandlers.discarding()).statusCode() == 201)
                            {
                                accepted.incrementAndGet();
                            }
                        }
                        catch (final IOException | InterruptedException ex)
                        {
                            return;
                        }
                    }
                }));
            }
            awaitWhileAlive(head, log, "writes not accepted", 10, () -> accepted.get() >= 50);
            // SIGTERM while writes keep coming.
            sigtermAndAwait(head, 30);
        }
        finally
        {
            stop.set(true);
            for (final Thread submitter : submitters)
            {
                submitter.join();
            }
            head.destroyForcibly();
            if (agent != null)
            {
                agent.destroy();
                agent.waitFor(20, TimeUnit.SECONDS);
            }
        }
        final String output = Files.readString(log);
        assertFalse(output.contains("Exception") || output.contains("already closed"), output);
    }
}

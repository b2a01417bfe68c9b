package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.testing.FakeAgents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadCliTest
{
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path data;

    @TempDir
    Path work;

    private final FakeAgents agents = new FakeAgents();
    private HeadServer server;
    private Path config;

    /** A stand-in for cli's Main: the head verbs registered the way HeadCommands says. */
    @Command(name = "cohort")
    static final class Root
    {
    }

    /**
     * The outcome of one command line.
     *
     * @param code exit code
     * @param out  standard output
     * @param err  standard error
     */
    record Run(int code, String out, String err)
    {
    }

    @BeforeEach
    void start() throws Exception
    {
        HeadInit.init(data, "localhost:9443", true);
        server = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0));
        server.head().nodeJoined("n1", new NodeCapacity(4, 4, 1L << 30, List.of("shm", "tcp")), null,
            new AgentReport("n1", List.of()));
        final ObjectMapper json = new ObjectMapper();
        final ObjectNode client = (ObjectNode)json.readTree(data.resolve(HeadInit.CLIENT).toFile());
        client.put("url", "https://localhost:" + server.apiPort());
        config = work.resolve("config.json");
        Files.writeString(config, client.toString());
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
    }

    private Run cohort(final String... args)
    {
        return cohort(new StringWriter(), args);
    }

    /** Runs a command line printing into {@code out}, which another thread may read while it runs. */
    private Run cohort(final StringWriter out, final String... args)
    {
        final CommandLine cli = new CommandLine(new Root());
        HeadCommands.TOP_LEVEL.forEach(cli::addSubcommand);
        final CommandLine node = new CommandLine(new Root());
        HeadCommands.NODE.forEach(node::addSubcommand);
        cli.addSubcommand("node", node);
        cli.getSubcommands().get("submit").setStopAtPositional(true);
        final StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final List<String> line = new ArrayList<>(List.of(args));
        // --config goes right after the verb (and its sub-verb), before any positional.
        final int at = List.of("token", "node", "job").contains(args[0]) ? 2 : 1;
        line.add(at, "--config=" + config);
        final int code = cli.execute(line.toArray(new String[0]));
        return new Run(code, out.toString(), err.toString());
    }

    private void finish(final long id, final int exitCode)
    {
        for (final LaunchOrder order : agents.launches(id))
        {
            server.head().attemptStarted(order.node(), id, order.attempt());
            for (final RankBlock block : order.local())
            {
                for (int rank = block.firstRank(); rank < block.firstRank() + block.count(); rank++)
                {
                    server.head().rankExited(order.node(), id, order.attempt(), rank, exitCode);
                }
            }
        }
    }

    @Test
    void submitJsonCarriesTheIdAndStatusShowsTheStateByName() throws Exception
    {
        final Run submitted = cohort("submit", "--json", "-n", "2", "--", "/bin/echo", "hi");
        assertEquals(0, submitted.code(), submitted.err());
        final long id = new ObjectMapper().readTree(submitted.out()).get("id").asLong();
        server.head().tick();
        finish(id, 0);
        final Run status = cohort("status", Long.toString(id));
        assertTrue(status.out().contains("COMPLETED"), status.out());
        final JsonNode json = new ObjectMapper().readTree(cohort("status", "--json", Long.toString(id)).out());
        assertEquals("COMPLETED", json.get("state").asText());
        assertEquals("/bin/echo", json.get("spec").get("program").get("executable").asText());
        assertEquals("hi", json.get("spec").get("args").get(0).asText());
    }

    @Test
    void submitOfALocalJarUploadsItAsThePackage() throws Exception
    {
        final Path jar = work.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)))
        {
            out.putNextEntry(new ZipEntry("README"));
            out.write("a jar".getBytes(StandardCharsets.UTF_8));
        }
        final Run submitted = cohort("submit", "--json", "-n", "1", jar.toString(), "--size", "10");
        assertEquals(0, submitted.code(), submitted.err());
        final JsonNode job = new ObjectMapper().readTree(cohort("status", "--json",
            new ObjectMapper().readTree(submitted.out()).get("id").asText()).out());
        assertEquals("app.jar", job.get("spec").get("program").get("jar").asText());
        assertEquals(List.of("--size", "10"), List.of(job.get("spec").get("args").get(0).asText(),
            job.get("spec").get("args").get(1).asText()));
        assertTrue(Files.exists(data.resolve("packages").resolve(job.get("spec").get("package").asText())));
    }

    @Test
    void submitOfALocalFileThatIsNotAJarNamesTheFormForExecutables() throws Exception
    {
        final Path script = Files.writeString(work.resolve("solve.sh"), "#!/bin/sh\necho hi\n");
        final Run submitted = cohort("submit", "-n", "1", script.toString());
        assertEquals(2, submitted.code());
        assertTrue(submitted.err().contains("is not a jar (it is not a zip file); to run an executable write: "
            + "cohort submit -n N -- " + script), submitted.err());
    }

    @Test
    void submitOfARelativeClasspathWithoutAPackageIsRefusedNamingTheEntry()
    {
        final Run submitted = cohort("submit", "-n", "1", "-cp", "/opt/lib/a.jar:build/classes", "org.example.Main");
        assertEquals(2, submitted.code());
        assertTrue(submitted.err().contains("-cp entry 'build/classes' is relative, but the job has no --package"),
            submitted.err());
    }

    @Test
    void queueShowsWaitingJobsInATable()
    {
        cohort("node", "drain", "n1");
        cohort("submit", "--name", "waiter", "-n", "1", "--", "/bin/true");
        final Run queue = cohort("queue");
        assertEquals(0, queue.code(), queue.err());
        assertTrue(queue.out().startsWith("ID"), queue.out());
        assertTrue(queue.out().contains("waiter") && queue.out().contains("PENDING"), queue.out());
    }

    @Test
    void impossibleSubmissionExitsWith1NamingTheField()
    {
        final Run refused = cohort("submit", "-n", "64", "--", "/bin/true");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("ranks: 64 ranks can never run"), refused.err());
    }

    @Test
    void cancelOfAnEndedJobExitsWith1AndSaysWhy() throws Exception
    {
        cohort("node", "drain", "n1");
        final long id = new ObjectMapper().readTree(cohort("submit", "--json", "-n", "1", "--", "/bin/true").out())
            .get("id").asLong();
        assertEquals(0, cohort("cancel", Long.toString(id)).code());
        final Run again = cohort("cancel", Long.toString(id));
        assertEquals(1, again.code());
        assertTrue(again.err().contains("has ended (CANCELLED)"), again.err());
    }

    @Test
    void cancelOfSeveralJobsWithJsonPrintsOneArray() throws Exception
    {
        final long first = submitHeld();
        final long second = submitHeld();
        final Run run = cohort("cancel", "--json", Long.toString(first), Long.toString(second));
        assertEquals(0, run.code(), run.err());
        final com.fasterxml.jackson.databind.JsonNode answer = new ObjectMapper().readTree(run.out());
        assertTrue(answer.isArray(), run.out());
        assertEquals(2, answer.size(), run.out());
        assertEquals("CANCELLED", answer.get(1).get("state").asText(), run.out());
    }

    @Test
    void cancelOfARunningJobSaysItsRanksAreBeingStopped() throws Exception
    {
        final long id = new ObjectMapper().readTree(cohort("submit", "--json", "-n", "1", "--", "/bin/true").out())
            .get("id").asLong();
        awaitLaunch(id);
        server.head().attemptStarted("n1", id, 1);
        final Run run = cohort("cancel", Long.toString(id));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("RUNNING") && run.out().contains("stopping its ranks (SIGTERM, then SIGKILL"),
            run.out());
    }

    @Test
    void holdAndReleaseMoveAJob() throws Exception
    {
        cohort("node", "drain", "n1");
        final long id = new ObjectMapper().readTree(cohort("submit", "--json", "-n", "1", "--", "/bin/true").out())
            .get("id").asLong();
        assertTrue(cohort("hold", Long.toString(id)).out().contains("HELD"));
        assertTrue(cohort("release", Long.toString(id)).out().contains("PENDING"));
    }

    @Test
    void tokensAreCreatedListedAndRevoked() throws Exception
    {
        final JsonNode created = new ObjectMapper().readTree(cohort("token", "create", "--json", "--user",
            "alice").out());
        final String id = created.get("id").asText();
        assertTrue(cohort("token", "list").out().contains(id));
        assertEquals(0, cohort("token", "revoke", id).code());
        assertTrue(cohort("token", "list", "--json").out().contains("revokedAt"));
    }

    @Test
    void tokenCreatedWithAWebhookPrintsItsSecretOnceAndTheListShowsTheUrl() throws Exception
    {
        final Run created = cohort("token", "create", "--user", "ci", "--webhook",
            "https://ci.example.org/hook,events=job.state+attempt.ended");
        assertEquals(0, created.code(), created.err());
        assertTrue(created.out().contains("Webhook https://ci.example.org/hook secret whsec_"), created.out());
        final Run listed = cohort("token", "list", "--json");
        assertTrue(listed.out().contains("https://ci.example.org/hook") && listed.out().contains("attempt.ended"),
            listed.out());
        assertFalse(listed.out().contains("whsec_"), listed.out());
    }

    @Test
    void nodesTableShowsDrainedNodes()
    {
        assertTrue(cohort("node", "drain", "n1").out().contains("DRAINING"));
        final Run nodes = cohort("nodes");
        assertTrue(nodes.out().contains("n1") && nodes.out().contains("DRAINING"), nodes.out());
        assertTrue(cohort("node", "resume", "n1").out().contains("UP"));
    }

    @Test
    void logsPrintARanksOutput() throws Exception
    {
        final long id = new ObjectMapper().readTree(cohort("submit", "--json", "-n", "2", "--", "/bin/true").out())
            .get("id").asLong();
        server.head().tick();
        server.head().output(id, 1, 1, "from rank one\n".getBytes(StandardCharsets.UTF_8));
        finish(id, 0);
        assertEquals("from rank one\n", cohort("logs", "--rank", "1", "-f", Long.toString(id)).out());
    }

    @Test
    void logsFollowPrintsOutputAsItArrivesAndEndsWithTheJob() throws Exception
    {
        final long id = new ObjectMapper().readTree(cohort("submit", "--json", "-n", "2", "--", "/bin/true").out())
            .get("id").asLong();
        awaitLaunch(id);
        server.head().attemptStarted("n1", id, 1);
        server.head().output(id, 1, 1, "first\n".getBytes(StandardCharsets.UTF_8));
        final StringWriter out = new StringWriter();
        final CompletableFuture<Run> follow = inBackground(out, "logs", "-f", "--rank", "1", Long.toString(id));
        awaitOutput(out, "first\n");
        server.head().output(id, 1, 1, "second\n".getBytes(StandardCharsets.UTF_8));
        awaitOutput(out, "second\n");
        assertFalse(follow.isDone(), "logs -f ended while the job still runs");
        finish(id, 0);
        final Run run = follow.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, run.code(), run.err());
        assertEquals("first\nsecond\n", run.out());
    }

    @Test
    void logsFollowOfAJobThatHasNotStartedWaitsForItsFirstAttempt() throws Exception
    {
        final long id = submitHeld();
        final StringWriter out = new StringWriter();
        final CompletableFuture<Run> follow = inBackground(out, "logs", "-f", Long.toString(id));
        Thread.sleep(1_200);
        assertFalse(follow.isDone(), "logs -f gave up on a job that has not started: " + out);
        assertEquals(0, cohort("release", Long.toString(id)).code());
        awaitLaunch(id);
        server.head().attemptStarted("n1", id, 1);
        server.head().output(id, 1, 0, "started at last\n".getBytes(StandardCharsets.UTF_8));
        awaitOutput(out, "started at last\n");
        finish(id, 0);
        final Run run = follow.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, run.code(), run.err());
    }

    @Test
    void logsFollowOfAJobCancelledBeforeItStartedEndsWithoutOutput() throws Exception
    {
        final long id = submitHeld();
        final StringWriter out = new StringWriter();
        final CompletableFuture<Run> follow = inBackground(out, "logs", "-f", Long.toString(id));
        assertEquals(0, cohort("cancel", Long.toString(id)).code());
        final Run run = follow.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void requeueOfACompletedJobRunsItAgainAsItsNextAttempt() throws Exception
    {
        final long id = new ObjectMapper().readTree(cohort("submit", "--json", "-n", "1", "--", "/bin/true").out())
            .get("id").asLong();
        awaitLaunch(id);
        finish(id, 0);
        final Run requeued = cohort("requeue", Long.toString(id));
        assertEquals(0, requeued.code(), requeued.err());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (agents.launches(id).size() < 2 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals(2, agents.launches(id).size(), "launches of job " + id);
        assertEquals(2, agents.launches(id).get(1).attempt());
    }

    private long submitHeld() throws Exception
    {
        return new ObjectMapper().readTree(cohort("submit", "--json", "--hold", "-n", "2", "--", "/bin/true").out())
            .get("id").asLong();
    }

    private void awaitLaunch(final long id) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (agents.launches(id).isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertFalse(agents.launches(id).isEmpty(), "job " + id + " was not launched");
    }

    private static void awaitOutput(final StringWriter out, final String text) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!out.toString().contains(text) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(out.toString().contains(text), out.toString());
    }

    private CompletableFuture<Run> inBackground(final StringWriter out, final String... args)
    {
        final CompletableFuture<Run> run = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> run.complete(cohort(out, args)));
        return run;
    }

    @Test
    void watchShowsEachStateChangeAndExitsWithTheFailedJobsExitCode() throws Exception
    {
        final long id = submitHeld();
        final StringWriter out = new StringWriter();
        final CompletableFuture<Run> watch = inBackground(out, "watch", "--plain", Long.toString(id));
        awaitOutput(out, "HELD");
        assertEquals(0, cohort("release", Long.toString(id)).code());
        awaitLaunch(id);
        finish(id, 3);
        final Run run = watch.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(3, run.code(), run.out() + run.err());
        final List<String> lines = run.out().lines().toList();
        assertTrue(lines.contains("job " + id + ": PENDING - released by admin"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("job " + id + ": RUNNING")), run.out());
        assertEquals("job " + id + " FAILED: rank 0 on n1 exited with 3 (exit code 3)", lines.get(lines.size() - 1));
    }

    /** A running job whose rank 0 reported 3 of 10 steps, then completed. */
    private long jobWithProgress() throws Exception
    {
        final long id = submitHeld();
        cohort("release", Long.toString(id));
        awaitLaunch(id);
        server.head().attemptStarted("n1", id, 1);
        server.head().progress(id, 1, 3, 10, "step 3");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (server.head().job(id).orElseThrow().progress() == null && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        finish(id, 0);
        return id;
    }

    @Test
    void watchOnATerminalDrawsAProgressBarFromAProgressEvent() throws Exception
    {
        final long id = jobWithProgress();
        final StringWriter out = new StringWriter();
        final int code = new JobWatch(new HeadClient(ClientConfig.load(config)), new PrintWriter(out),
            new PrintWriter(new StringWriter()), true).watch(id);
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("\rjob " + id + ": RUNNING [######--------------] 3/10 30% step 3"),
            out.toString());
    }

    @Test
    void plainWatchShowsProgressAsALine() throws Exception
    {
        final long id = jobWithProgress();
        final Run run = cohort("watch", "--plain", Long.toString(id));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().lines().toList().contains("job " + id + ": RUNNING progress 3/10 (30%) step 3"),
            run.out());
    }

    @Test
    void statusShowsTheLatestProgress() throws Exception
    {
        final long id = jobWithProgress();
        final Run run = cohort("status", Long.toString(id));
        assertTrue(run.out().contains("3/10 (30%) step 3 at "), run.out());
        final JsonNode json = new ObjectMapper().readTree(cohort("status", "--json", Long.toString(id)).out());
        assertEquals(3, json.get("progress").get("done").asLong());
        assertEquals(10, json.get("progress").get("total").asLong());
        assertEquals("step 3", json.get("progress").get("message").asText());
    }

    @Test
    void barWithAnUnknownTotalCountsWhatIsDone() throws Exception
    {
        final JsonNode progress = new ObjectMapper().readTree("{\"done\": 7, \"total\": 0, \"message\": null}");
        assertEquals("7 done", JobWatch.bar(progress, true));
        assertEquals("progress 7 done", JobWatch.bar(progress, false));
    }

    @Test
    void submitWithAWebhookPrintsItsSecretOnceAndJobEventsShowsTheDeliveries() throws Exception
    {
        final int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0))
        {
            port = closed.getLocalPort();
        }
        final Run submitted = cohort("submit", "--hold", "-n", "1", "--webhook",
            "http://127.0.0.1:" + port + "/hook,events=job.submitted+job.state", "--", "/bin/true");
        assertEquals(0, submitted.code(), submitted.err());
        assertTrue(submitted.out().contains("Webhook http://127.0.0.1:" + port + "/hook secret whsec_"),
            submitted.out());
        final long id = Long.parseLong(submitted.out().split("Submitted job ")[1].split(" ")[0]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        Run events = cohort("job", "events", Long.toString(id));
        while (!events.out().contains("cannot connect") && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            events = cohort("job", "events", Long.toString(id));
        }
        assertTrue(events.out().contains("job.submitted"), events.out());
        assertTrue(events.out().contains("dlv_") && events.out().contains("PENDING")
            && events.out().contains("cannot connect to 127.0.0.1:" + port), events.out());
        final JsonNode json = new ObjectMapper().readTree(cohort("job", "events", "--json", Long.toString(id)).out());
        assertEquals("job.submitted", json.get("deliveries").get(0).get("kind").asText());
        assertFalse(json.toString().contains("whsec_"), json.toString());
    }

    @Test
    void webhookWithoutAUrlIsRefusedWithTheForm()
    {
        final Run run = cohort("submit", "-n", "1", "--webhook", ",events=job.state", "--", "/bin/true");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("--webhook https://host/path"), run.err());
    }

    @Test
    void watchOfACompletedJobExitsWith0AtOnce() throws Exception
    {
        final long id = submitHeld();
        cohort("release", Long.toString(id));
        awaitLaunch(id);
        finish(id, 0);
        final Run run = cohort("watch", "--plain", Long.toString(id));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("COMPLETED (exit code 0)"), run.out());
    }

    @Test
    void watchOfACancelledJobExitsWith143() throws Exception
    {
        final long id = submitHeld();
        cohort("cancel", Long.toString(id));
        final Run run = cohort("watch", "--plain", Long.toString(id));
        assertEquals(JobWatch.CANCELLED_EXIT, run.code(), run.err());
        assertTrue(run.out().contains("CANCELLED"), run.out());
    }

    @Test
    void watchOfAnUnknownJobExitsWith1SayingSo()
    {
        final Run run = cohort("watch", "999");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("no job 999"), run.err());
    }

    @Test
    void submitWaitFollowsTheJobAndExitsWithItsExitCode() throws Exception
    {
        final StringWriter out = new StringWriter();
        final CompletableFuture<Run> submit = inBackground(out, "submit", "--wait", "--plain", "-n", "2", "--",
            "/bin/true");
        awaitOutput(out, "Submitted job ");
        final long id = Long.parseLong(out.toString().split("Submitted job ")[1].split(" ")[0]);
        awaitLaunch(id);
        finish(id, 0);
        final Run run = submit.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("job " + id + " COMPLETED (exit code 0)"), run.out());
    }

    @Test
    void watchReconnectsWhenTheHeadNodeRestartsAndMissesNoChange() throws Exception
    {
        final long id = submitHeld();
        final StringWriter out = new StringWriter();
        final CompletableFuture<Run> watch = inBackground(out, "watch", "--plain", Long.toString(id));
        awaitOutput(out, "HELD");
        final int port = server.apiPort();
        server.close();
        server = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", port));
        // Changed while the watch may be disconnected: it resumes after the last event it saw and sees this one.
        server.head().cancel(id, "admin");
        final Run run = watch.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(JobWatch.CANCELLED_EXIT, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("reconnecting after event"), run.err());
        assertTrue(run.out().contains("job " + id + ": CANCELLED"), run.out());
    }

    @Test
    void missingConfigurationSaysWhereToPutIt()
    {
        final CommandLine cli = new CommandLine(new Root());
        HeadCommands.TOP_LEVEL.forEach(cli::addSubcommand);
        final StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(1, cli.execute("queue", "--config=" + work.resolve("absent.json")));
        assertTrue(err.toString().contains("cohort head init"), err.toString());
    }

    @Test
    void configurationThatIsNotJsonNamesTheFileAndWhere() throws Exception
    {
        final Path config = work.resolve("broken.json");
        Files.writeString(config, "{\n");
        final CommandLine cli = new CommandLine(new Root());
        HeadCommands.TOP_LEVEL.forEach(cli::addSubcommand);
        final StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(1, cli.execute("queue", "--config=" + config));
        assertTrue(err.toString().contains("the client configuration " + config + " is not valid JSON (line 2"),
            err.toString());
        assertFalse(err.toString().contains("StreamReadFeature"), err.toString());
    }
}

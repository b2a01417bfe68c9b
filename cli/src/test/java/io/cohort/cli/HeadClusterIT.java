package io.cohort.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A head node with three agents that joined it, each in a network namespace of its own ({@code scripts/cluster.sh
 * up 3 --join}): jobs submitted with the CLI run across nodes, survive a restart of the head node, and start
 * again elsewhere when a node dies. Needs root; skipped otherwise.
 */
class HeadClusterIT
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path STATE = Path.of(System.getProperty("java.io.tmpdir"), "cohort-head-cluster-it");
    private static final Path DATA = Path.of(System.getProperty("java.io.tmpdir"), "cohort-head-it-data");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Process head;

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
        deleteTree(DATA);
        final Result init = cohort(60, "head", "init", "--data", DATA.toString(), "--advertise", "10.77.0.254:7610");
        assertEquals(0, init.code(), init.out());
        final Result up = run(120, script("up", "3", "--slots", "2", "--join", DATA.resolve("join.json").toString()));
        assertEquals(0, up.code(), up.out());
        startHead();
        awaitCommand("three nodes UP", out -> out.split("\\bUP\\b", -1).length - 1 == 3, "nodes");
    }

    @AfterEach
    void down() throws Exception
    {
        if (head != null)
        {
            head.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final Result down = run(60, script("down"));
        assertEquals(0, down.code(), down.out());
        deleteTree(DATA);
    }

    private void startHead() throws IOException
    {
        head = new ProcessBuilder(ROOT.resolve("cohort").toString(), "head", "start", "--data", DATA.toString())
            .redirectErrorStream(true).redirectOutput(DATA.resolve("head.log").toFile()).start();
    }

    private static List<String> script(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("scripts/cluster.sh").toString());
        command.addAll(List.of(args));
        return command;
    }

    private static Result cohort(final int seconds, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("cohort").toString());
        command.addAll(List.of(args));
        return run(seconds, command);
    }

    private static Result run(final int seconds, final List<String> command) throws Exception
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("COHORT_CLUSTER_DIR", STATE.toString());
        builder.environment().put("COHORT_CONFIG", DATA.resolve("client.json").toString());
        final Process process = builder.start();
        final CompletableFuture<String> out = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                return "(unreadable: " + ex + ")";
            }
        });
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("still running after " + seconds + " s: " + command);
        }
        return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS));
    }

    /** Repeats a cohort command until its output satisfies the condition (a wait, bounded so nothing hangs). */
    private static String awaitCommand(final String what, final Predicate<String> condition, final String... args)
        throws Exception
    {
        String last = "";
        for (int i = 0; i < 240; i++)
        {
            final Result result = cohort(30, args);
            last = result.out();
            if (result.code() == 0 && condition.test(last))
            {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("never saw " + what + "; last output:\n" + last);
    }

    private static JsonNode awaitState(final long job, final String state) throws Exception
    {
        final String out = awaitCommand("job " + job + " " + state, text ->
        {
            try
            {
                return state.equals(JSON.readTree(text).path("state").asText());
            }
            catch (final IOException ex)
            {
                return false;
            }
        }, "status", Long.toString(job), "--json");
        return JSON.readTree(out);
    }

    private static long submit(final String... program) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("submit", "--json", "-n", "4", "--ranks-per-node", "2",
            "-cp", testClasses(), ChattyJob.class.getName()));
        args.addAll(List.of(program));
        final Result submitted = cohort(60, args.toArray(String[]::new));
        assertEquals(0, submitted.code(), submitted.out());
        return JSON.readTree(submitted.out()).path("id").asLong();
    }

    private static String testClasses() throws Exception
    {
        return Path.of(ChattyJob.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    @Test
    void submittedJobRunsAcrossTwoNodesAndItsOutputIsReadable() throws Exception
    {
        final long job = submit();
        final JsonNode done = awaitState(job, "COMPLETED");
        assertEquals(1, done.path("attempts").asInt());
        assertEquals(2, done.path("attemptList").get(0).path("placement").size(), done.toPrettyString());
        final Result logs = cohort(30, "logs", Long.toString(job), "--rank", "0");
        assertTrue(logs.out().contains("CHATTY OK 4 ranks"), logs.out());
    }

    @Test
    void runningJobKeepsRunningThroughAHeadNodeKilledAndRestarted() throws Exception
    {
        final long job = submit("for:12");
        awaitState(job, "RUNNING");
        head.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(2_000);
        startHead();
        final JsonNode done = awaitState(job, "COMPLETED");
        assertEquals(1, done.path("attempts").asInt(), "the job ran again: " + done.toPrettyString());
        // Output written while the head node was down is kept by the agent and arrives after it rejoins.
        awaitCommand("the job's last line", out -> out.contains("CHATTY DONE after 12 s"), "logs", Long.toString(job),
            "--rank", "0");
    }

    @Test
    void nodeKilledMidJobStartsTheWholeGangAgainOnTheNodesLeft() throws Exception
    {
        final long job = submit("for:8");
        final JsonNode running = awaitState(job, "RUNNING");
        final String victim = running.path("attemptList").get(0).path("placement").get(1).path("node").asText();
        final String agent = Files.readString(STATE.resolve(victim + ".pid")).trim();
        assertEquals(0, run(10, List.of("kill", "-KILL", agent)).code());
        final JsonNode done = awaitState(job, "COMPLETED");
        assertEquals(2, done.path("attempts").asInt(), done.toPrettyString());
        final JsonNode second = done.path("attemptList").get(1).path("placement");
        for (final JsonNode block : second)
        {
            assertTrue(!victim.equals(block.path("node").asText()), "attempt 2 ran on the dead node " + victim);
        }
    }
}

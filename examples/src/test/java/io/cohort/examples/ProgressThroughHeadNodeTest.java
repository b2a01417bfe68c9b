package io.cohort.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.auth.Role;
import io.cohort.head.service.HeadConfig;
import io.cohort.node.agent.Agent;
import io.cohort.node.agent.AgentConfig;
import io.cohort.node.agent.HeadConnection;
import io.cohort.node.agent.JoinFile;
import io.cohort.node.headlink.AgentLinkProviderImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: a real head node, a real agent joined to it, and real rank JVMs running {@link ProgressDemo}. What
 * rank 0 reports with {@code cohort.progress} reaches the job's JSON and the event stream as job.progress events.
 */
class ProgressThroughHeadNodeTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT", "DEAD_LETTER");

    @TempDir
    Path data;

    @TempDir
    Path work;

    private HeadServer server;
    private Agent agent;
    private HeadConnection connection;
    private String token;
    private final HttpClient http = HttpClient.newHttpClient();

    /** A port whose next port is free too (agents dial the API port + 1). */
    private static int freePortPair() throws IOException
    {
        for (int tries = 0; tries < 50; tries++)
        {
            try (ServerSocket first = new ServerSocket(0))
            {
                final int port = first.getLocalPort();
                if (port < 65_000)
                {
                    try (ServerSocket second = new ServerSocket(port + 1))
                    {
                        return second.getLocalPort() - 1;
                    }
                    catch (final IOException ex)
                    {
                        // Taken: try another.
                    }
                }
            }
        }
        throw new IOException("no two free consecutive ports found");
    }

    @BeforeEach
    void start() throws Exception
    {
        HeadInit.init(data, "127.0.0.1:" + freePortPair(), false);
        server = HeadServer.start(data, new AgentLinkProviderImpl(), HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0));
        token = server.tokens().create("test", "alice", Role.USER).token();
        final JoinFile join = JoinFile.read(data.resolve("join.json"));
        agent = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), 4, "n1", join.secret(),
            work, Duration.ofSeconds(5)), new PrintStream(new ByteArrayOutputStream()));
        connection = new HeadConnection(agent, join);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!get("/nodes").toString().contains("\"UP\"") && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stop() throws Exception
    {
        if (connection != null)
        {
            connection.close();
        }
        if (agent != null)
        {
            agent.close();
        }
        if (server != null)
        {
            server.close();
        }
    }

    private JsonNode get(final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.apiPort() + "/api/v1" + path))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private long submit(final String body) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.apiPort() + "/api/v1/jobs"))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("id").asLong();
    }

    private static String classes() throws Exception
    {
        return Path.of(ProgressDemo.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void progressOfRankZeroReachesTheJobAndTheEventStream() throws Exception
    {
        final long id = submit("{\"name\": \"progress\", \"ranks\": 2, \"program\": {\"classpath\": ["
            + JSON.writeValueAsString(classes()) + "], \"mainClass\": \"io.cohort.examples.ProgressDemo\"}, "
            + "\"args\": [\"10\", \"300\"], \"jvmOptions\": [\"-XX:TieredStopAtLevel=1\"]}");
        JsonNode job = get("/jobs/" + id);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!FINAL.contains(job.get("state").asText()) && System.nanoTime() < deadline)
        {
            Thread.sleep(100);
            job = get("/jobs/" + id);
        }
        assertEquals("COMPLETED", job.get("state").asText(), job.toPrettyString());
        final JsonNode progress = job.get("progress");
        assertEquals(10, progress.get("done").asLong(), job.toPrettyString());
        assertEquals(10, progress.get("total").asLong());
        assertEquals("step 10 of 10", progress.get("message").asText());
        assertTrue(progress.get("at").asText().endsWith("Z"), progress.toString());

        final List<Long> done = new ArrayList<>();
        for (final JsonNode event : get("/events?job=" + id).get("events"))
        {
            if ("job.progress".equals(event.get("kind").asText()))
            {
                assertEquals(id, event.get("job").asLong());
                assertTrue(event.get("seq").asLong() > 0 && event.has("at"), event.toString());
                assertEquals(10, event.get("progress").get("total").asLong(), event.toString());
                done.add(event.get("progress").get("done").asLong());
            }
        }
        // Reported step by step over three seconds: more than one report, in order, the last one 10 of 10.
        assertTrue(done.size() >= 2, done.toString());
        for (int i = 1; i < done.size(); i++)
        {
            assertTrue(done.get(i) >= done.get(i - 1), done.toString());
        }
        assertEquals(10L, done.getLast(), done.toString());
    }
}

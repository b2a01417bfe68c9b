package io.cohort.head.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.auth.Role;
import io.cohort.head.auth.Tokens;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.store.PackageStore;
import io.cohort.head.testing.ApiClient;
import io.cohort.head.testing.FakeAgents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class EventStreamTest
{
    private static final String JOB =
        "{\"name\": \"hello\", \"ranks\": 2, \"program\": {\"executable\": \"/bin/true\"}, \"hold\": true}";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous: a missing event fails the test after this, a present one arrives within the 200 ms poll. */
    private static final long WAIT_SECONDS = 20;

    @TempDir
    Path data;

    private final FakeAgents agents = new FakeAgents();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Stream<String>> open = new ArrayList<>();
    private HeadServer server;
    /** A second API over the same head node, with a short heartbeat. */
    private ApiServer quick;
    private String base;
    private String adminToken;
    private String aliceToken;
    private String bobToken;
    private ApiClient alice;

    /** One event as a client sees it: its id, event and data fields. */
    record SseEvent(long id, String event, JsonNode data)
    {
    }

    @BeforeEach
    void start() throws Exception
    {
        final HeadInit.Result init = HeadInit.init(data, "localhost:9000", false);
        server = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0));
        server.head().nodeJoined("n1", new NodeCapacity(4, 4, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        quick = ApiServer.start(new InetSocketAddress("127.0.0.1", 0), server.head(), server.tokens(),
            new PackageStore(data), 1000, null, Duration.ofMillis(100));
        base = "http://127.0.0.1:" + quick.port() + "/api/v1";
        adminToken = init.adminToken();
        aliceToken = server.tokens().create("alice", "alice", Role.USER).token();
        bobToken = server.tokens().create("bob", "bob", Role.USER).token();
        alice = new ApiClient(http, base.substring(0, base.length() - "/api/v1".length()), aliceToken);
    }

    @AfterEach
    void stop() throws Exception
    {
        open.forEach(Stream::close);
        quick.close();
        server.close();
    }

    private HttpResponse<Stream<String>> request(final String path, final String token, final String lastEventId)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token);
        if (lastEventId != null)
        {
            request.header("Last-Event-ID", lastEventId);
        }
        final HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        open.add(response.body());
        return response;
    }

    private BlockingQueue<String> stream(final String path, final String token, final String lastEventId)
        throws Exception
    {
        final HttpResponse<Stream<String>> response = request(path, token, lastEventId);
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() ->
        {
            try
            {
                response.body().forEach(lines::add);
            }
            catch (final RuntimeException ex)
            {
                // the stream was closed by the test
            }
        });
        return lines;
    }

    private static String line(final BlockingQueue<String> lines) throws InterruptedException
    {
        final String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(line, "nothing arrived on the stream within " + WAIT_SECONDS + " s");
        return line;
    }

    /** The next event, skipping comments and the retry field. */
    private static SseEvent next(final BlockingQueue<String> lines) throws Exception
    {
        Long id = null;
        String event = null;
        String data = null;
        while (true)
        {
            final String line = line(lines);
            if (line.isEmpty())
            {
                if (data != null)
                {
                    return new SseEvent(id, event, JSON.readTree(data));
                }
                continue;
            }
            if (line.startsWith("id: "))
            {
                id = Long.parseLong(line.substring(4));
            }
            else if (line.startsWith("event: "))
            {
                event = line.substring(7);
            }
            else if (line.startsWith("data: "))
            {
                data = line.substring(6);
            }
        }
    }

    private long submit() throws Exception
    {
        final ApiClient.Response submitted = alice.send("POST", "/jobs", JOB);
        assertEquals(201, submitted.status(), submitted.body());
        return submitted.json().get("id").asLong();
    }

    @Test
    void everyEventCarriesItsSequenceAsIdItsKindAsEventAndItsJsonAsData() throws Exception
    {
        final long id = submit();
        final SseEvent first = next(stream("/events?job=" + id, aliceToken, null));
        assertEquals("job.submitted", first.event());
        assertEquals(first.id(), first.data().get("seq").asLong());
        assertEquals("job.submitted", first.data().get("kind").asText());
        assertEquals(id, first.data().get("job").asLong());
        assertEquals("HELD", first.data().get("state").asText());
    }

    @Test
    void eventsCommittedWhileTheStreamIsOpenArePushed() throws Exception
    {
        final long id = submit();
        final BlockingQueue<String> lines = stream("/events?job=" + id, aliceToken, null);
        assertEquals("job.submitted", next(lines).event());
        assertEquals(200, alice.send("POST", "/jobs/" + id + "/cancel", null).status());
        final SseEvent cancelled = next(lines);
        assertEquals("job.state", cancelled.event());
        assertEquals("CANCELLED", cancelled.data().get("state").asText());
    }

    @Test
    void reconnectingWithLastEventIdResumesRightAfterIt() throws Exception
    {
        final long id = submit();
        alice.send("POST", "/jobs/" + id + "/release", null);
        alice.send("POST", "/jobs/" + id + "/cancel", null);
        final JsonNode all = alice.send("GET", "/events?job=" + id, null).json().get("events");
        assertTrue(all.size() >= 3, all.toString());
        final BlockingQueue<String> lines = stream("/events?job=" + id + "&after=0", aliceToken,
            all.get(0).get("seq").asText());
        for (int i = 1; i < all.size(); i++)
        {
            assertEquals(all.get(i).get("seq").asLong(), next(lines).id());
        }
    }

    @Test
    void afterInTheQueryStartsTheStreamAfterThatEvent() throws Exception
    {
        final long id = submit();
        alice.send("POST", "/jobs/" + id + "/cancel", null);
        final JsonNode all = alice.send("GET", "/events?job=" + id, null).json().get("events");
        final SseEvent first = next(stream("/events?job=" + id + "&after=" + all.get(0).get("seq").asLong(),
            aliceToken, null));
        assertEquals(all.get(1).get("seq").asLong(), first.id());
    }

    @Test
    void anAdminStreamWithoutAJobCarriesNodeAndJobEvents() throws Exception
    {
        final long id = submit();
        final BlockingQueue<String> lines = stream("/events", adminToken, null);
        assertEquals("node.joined", next(lines).event());
        SseEvent event = next(lines);
        while (!"job.submitted".equals(event.event()))
        {
            event = next(lines);
        }
        assertEquals(id, event.data().get("job").asLong());
    }

    @Test
    void aUserCannotStreamAnotherUsersJob() throws Exception
    {
        final long id = submit();
        assertEquals(404, request("/events?job=" + id, bobToken, null).statusCode());
    }

    @Test
    void aUserWithoutAJobStreamsTheNodesAndItsOwnJobsOnly() throws Exception
    {
        final long alices = submit();
        final ApiClient.Response bobs = alice.withToken(bobToken).send("POST", "/jobs", JOB);
        assertEquals(201, bobs.status(), bobs.body());
        submit();
        final BlockingQueue<String> lines = stream("/events", bobToken, null);
        assertEquals("node.joined", next(lines).event());
        final SseEvent first = next(lines);
        assertEquals(bobs.json().get("id").asLong(), first.data().get("job").asLong(), first.toString());
        alice.send("POST", "/jobs/" + alices + "/cancel", null);
        alice.withToken(bobToken).send("POST", "/jobs/" + first.data().get("job").asLong() + "/cancel", null);
        final SseEvent cancelled = next(lines);
        // Alice's second submission and her cancellation came in between: bob's stream skipped them.
        assertEquals(first.data().get("job").asLong(), cancelled.data().get("job").asLong(), cancelled.toString());
        assertEquals("CANCELLED", cancelled.data().get("state").asText());
    }

    @Test
    void aStreamEndsOnceItsTokenIsRevoked() throws Exception
    {
        final Tokens.Issued carol = server.tokens().create("carol", "carol", Role.USER);
        final HttpResponse<Stream<String>> response = request("/events", carol.token(), null);
        assertEquals(200, response.statusCode());
        final CompletableFuture<Long> lines = CompletableFuture.supplyAsync(() -> response.body().count());
        server.tokens().revoke(carol.record().id());
        assertTrue(lines.get(WAIT_SECONDS, TimeUnit.SECONDS) >= 1);
    }

    @Test
    void aDashboardStreamEndsAtLogout() throws Exception
    {
        final HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/session"))
            .header("Authorization", "Bearer " + aliceToken).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        final String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        final String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        final HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(URI.create(base + "/events"))
            .header("Accept", "text/event-stream").header("Cookie", cookie).build(),
            HttpResponse.BodyHandlers.ofLines());
        open.add(response.body());
        assertEquals(200, response.statusCode());
        final CompletableFuture<Long> lines = CompletableFuture.supplyAsync(() -> response.body().count());
        http.send(HttpRequest.newBuilder(URI.create(base + "/session")).header("Cookie", cookie).DELETE().build(),
            HttpResponse.BodyHandlers.discarding());
        assertTrue(lines.get(WAIT_SECONDS, TimeUnit.SECONDS) >= 1);
    }

    @Test
    void aLastEventIdThatIsNotANumberIsA400NamingTheHeader() throws Exception
    {
        final long id = submit();
        final HttpResponse<Stream<String>> response = request("/events?job=" + id, aliceToken, "abc");
        assertEquals(400, response.statusCode());
        final JsonNode error = JSON.readTree(String.join("\n", response.body().toList()));
        assertEquals("Last-Event-ID", error.get("field").asText());
    }

    @Test
    void anIdleStreamSendsHeartbeatComments() throws Exception
    {
        final long id = submit();
        final BlockingQueue<String> lines = stream("/events?job=" + id, aliceToken, null);
        next(lines);
        for (int i = 0; i < 100; i++)
        {
            if (line(lines).equals(": heartbeat"))
            {
                return;
            }
        }
        fail("no heartbeat comment in 100 lines");
    }

    @Test
    void theStreamEndsWhenTheClientGoesAway() throws Exception
    {
        final long id = submit();
        try (Socket socket = new Socket("127.0.0.1", quick.port()))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/events?job=" + id + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                + "Authorization: Bearer " + aliceToken + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", head);
            assertEquals(1, quick.openStreams());
        }
        // The next heartbeat (100 ms here) fails to write and ends the stream's thread.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (quick.openStreams() > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals(0, quick.openStreams());
    }

    @Test
    void withoutTheEventStreamAcceptHeaderTheAnswerIsJson() throws Exception
    {
        final long id = submit();
        final ApiClient.Response response = alice.send("GET", "/events?job=" + id, null);
        assertEquals("application/json", response.raw().headers().firstValue("Content-Type").orElse(""));
        assertEquals("job.submitted", response.json().get("events").get(0).get("kind").asText());
    }
}

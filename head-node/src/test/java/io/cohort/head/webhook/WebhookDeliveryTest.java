package io.cohort.head.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.auth.Role;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.service.WebhookSettings;
import io.cohort.head.testing.ApiClient;
import io.cohort.head.testing.FakeAgents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks against a real local HTTP receiver: signed deliveries of the job's events, retries with backoff, a dead
 * receiver's deliveries ending FAILED with the reason, pending deliveries resumed after a restart of the head node,
 * and a hanging receiver that does not stop jobs from running.
 */
class WebhookDeliveryTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "a-secret-of-sixteen-or-more";
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path data;

    private final FakeAgents agents = new FakeAgents();
    private final Receiver receiver = new Receiver();
    private HeadServer server;
    private ApiClient api;
    private String token;

    /** One request the receiver got. */
    private record Received(Map<String, List<String>> headers, byte[] body)
    {
        String header(final String name)
        {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                .map(e -> e.getValue().getFirst()).orElse(null);
        }
    }

    /** A JDK HttpServer that records every request and answers with the status {@link #answer} gives. */
    private static final class Receiver
    {
        final List<Received> requests = new CopyOnWriteArrayList<>();
        final CountDownLatch hang = new CountDownLatch(1);
        volatile IntSupplier answer = () -> 200;
        volatile boolean hanging;
        HttpServer http;

        void start() throws Exception
        {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            http.createContext("/hook", this::handle);
            http.start();
        }

        private void handle(final HttpExchange exchange) throws java.io.IOException
        {
            try (exchange)
            {
                requests.add(new Received(Map.copyOf(exchange.getRequestHeaders()),
                    exchange.getRequestBody().readAllBytes()));
                if (hanging)
                {
                    try
                    {
                        hang.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
                exchange.sendResponseHeaders(answer.getAsInt(), -1);
            }
        }

        String url()
        {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
        }

        void stop()
        {
            hang.countDown();
            http.stop(0);
        }
    }

    @BeforeEach
    void start() throws Exception
    {
        receiver.start();
        HeadInit.init(data, "localhost:9443", false);
        startHead(new WebhookSettings(3, Duration.ofMillis(100), Duration.ofSeconds(5), 2));
    }

    private void startHead(final WebhookSettings settings) throws Exception
    {
        server = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults().withWebhooks(settings),
            new InetSocketAddress("127.0.0.1", 0));
        server.head().nodeJoined("n1", new NodeCapacity(8, 8, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        if (token == null)
        {
            token = server.tokens().create("hooks", "alice", Role.USER).token();
        }
        api = new ApiClient(HttpClient.newHttpClient(), "http://127.0.0.1:" + server.apiPort(), token);
    }

    @AfterEach
    void stop() throws Exception
    {
        receiver.stop();
        if (server != null)
        {
            server.close();
        }
    }

    private JsonNode submit(final String webhooks) throws Exception
    {
        final ApiClient.Response response = api.send("POST", "/jobs", "{\"ranks\": 1, \"program\": "
            + "{\"executable\": \"/bin/true\"}, \"webhooks\": " + webhooks + "}");
        assertEquals(201, response.status(), response.body());
        return response.json();
    }

    private String hook(final String url, final String events)
    {
        return "[{\"url\": \"" + url + "\", \"events\": " + events + ", \"secret\": \"" + SECRET + "\"}]";
    }

    private JsonNode deliveries(final long job) throws Exception
    {
        final ApiClient.Response response = api.send("GET", "/jobs/" + job + "/deliveries", null);
        assertEquals(200, response.status(), response.body());
        return response.json().get("deliveries");
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(condition.getAsBoolean(), "never saw " + what);
    }

    private JsonNode awaitDelivery(final long job, final String status) throws Exception
    {
        final JsonNode[] last = new JsonNode[1];
        await("a " + status + " delivery of job " + job, () ->
        {
            try
            {
                last[0] = deliveries(job);
                return last[0].size() > 0 && status.equals(last[0].get(0).get("status").asText());
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        return last[0].get(0);
    }

    private static String hmac(final String secret, final String text)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final java.security.GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void deliveryIsTheEventSignedWithTheHooksSecret() throws Exception
    {
        final long job = submit(hook(receiver.url(), "[\"job.submitted\"]")).get("id").asLong();
        final JsonNode delivery = awaitDelivery(job, "DELIVERED");
        assertEquals(1, receiver.requests.size());
        final Received request = receiver.requests.getFirst();
        final String body = new String(request.body(), StandardCharsets.UTF_8);
        final JsonNode event = JSON.readTree(body);
        assertEquals("job.submitted", event.get("kind").asText());
        assertEquals(job, event.get("job").asLong());
        assertEquals(delivery.get("event").asLong(), event.get("seq").asLong());
        assertEquals("job.submitted", request.header("Cohort-Event"));
        assertEquals(delivery.get("id").asText(), request.header("Cohort-Delivery"));
        // The scheme as documented: t=<unix seconds>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")).
        final String signature = request.header("Cohort-Signature");
        final String t = signature.split(",")[0].substring(2);
        assertEquals("t=" + t + ",v1=" + hmac(SECRET, t + "." + body), signature);
        assertTrue(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) < 600, signature);
        assertTrue(WebhookSignature.verify(SECRET, signature, request.body(), Instant.now(), Duration.ofMinutes(5)));
        assertFalse(WebhookSignature.verify("another-secret-entirely", signature, request.body(), Instant.now(),
            Duration.ofMinutes(5)));
        assertEquals(1, delivery.get("attempts").asInt());
        assertEquals(200, delivery.get("lastStatus").asInt());
    }

    @Test
    void hookWithoutASecretGetsOneShownOnlyInTheSubmissionAnswer() throws Exception
    {
        final JsonNode submitted = submit("[{\"url\": \"" + receiver.url() + "\", \"events\": [\"job.submitted\"]}]");
        final String secret = submitted.get("webhooks").get(0).get("secret").asText();
        assertTrue(secret.startsWith("whsec_") && secret.length() == 6 + 64, secret);
        final long job = submitted.get("id").asLong();
        awaitDelivery(job, "DELIVERED");
        final Received request = receiver.requests.getFirst();
        assertTrue(WebhookSignature.verify(secret, request.header("Cohort-Signature"), request.body(), Instant.now(),
            Duration.ofMinutes(5)));
        final String detail = api.send("GET", "/jobs/" + job, null).body();
        assertTrue(detail.contains(receiver.url()), detail);
        assertFalse(detail.contains(secret) || detail.contains("\"secret\""), detail);
        assertFalse(api.send("GET", "/jobs/" + job + "/deliveries", null).body().contains(secret));
    }

    @Test
    void receiverAnswering500IsTriedAgainUntilItAccepts() throws Exception
    {
        final int[] calls = {0};
        receiver.answer = () -> ++calls[0] == 1 ? 500 : 204;
        final long job = submit(hook(receiver.url(), "[\"job.submitted\"]")).get("id").asLong();
        final JsonNode delivery = awaitDelivery(job, "DELIVERED");
        assertEquals(2, delivery.get("attempts").asInt(), delivery.toString());
        assertEquals(204, delivery.get("lastStatus").asInt());
        assertEquals(2, receiver.requests.size());
        assertEquals(receiver.requests.get(0).header("Cohort-Delivery"), receiver.requests.get(1).header(
            "Cohort-Delivery"));
        final String metrics = metrics();
        assertTrue(metrics.contains("cohort_webhook_deliveries_total{outcome=\"retried\"} 1.0"), metrics);
        assertTrue(metrics.contains("cohort_webhook_deliveries_total{outcome=\"delivered\"} 1.0"), metrics);
    }

    private String metrics() throws Exception
    {
        return HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + server.apiPort() + "/metrics")).header("Authorization", "Bearer " + token).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void deadReceiverEndsFailedWithItsReasonAfterTheLastAttempt() throws Exception
    {
        final int port;
        try (ServerSocket closed = new ServerSocket(0))
        {
            port = closed.getLocalPort();
        }
        final long job = submit(hook("http://127.0.0.1:" + port + "/hook", "[\"job.submitted\"]")).get("id")
            .asLong();
        final JsonNode delivery = awaitDelivery(job, "FAILED");
        assertEquals(3, delivery.get("attempts").asInt(), delivery.toString());
        final String reason = delivery.get("lastError").asText();
        assertTrue(reason.contains("attempt 3 of 3") && reason.contains("cannot connect to 127.0.0.1:" + port), reason);
        final String metrics = metrics();
        assertTrue(metrics.contains("cohort_webhook_deliveries_total{outcome=\"failed\"} 1.0"), metrics);
        assertTrue(metrics.contains("cohort_webhook_deliveries_total{outcome=\"retried\"} 2.0"), metrics);
    }

    @Test
    void pendingDeliveryResumesAfterTheHeadNodeRestarts() throws Exception
    {
        server.close();
        server = null;
        startHead(new WebhookSettings(100, Duration.ofMillis(100), Duration.ofSeconds(5), 2));
        receiver.answer = () -> 503;
        final long job = submit(hook(receiver.url(), "[\"job.submitted\"]")).get("id").asLong();
        await("a failed first attempt", () -> !receiver.requests.isEmpty());
        awaitDelivery(job, "PENDING");
        server.close();
        server = null;
        receiver.answer = () -> 200;
        startHead(new WebhookSettings(100, Duration.ofMillis(100), Duration.ofSeconds(5), 2));
        final JsonNode delivery = awaitDelivery(job, "DELIVERED");
        assertTrue(delivery.get("attempts").asInt() >= 2, delivery.toString());
        assertEquals(1, deliveries(job).size(), "one event, one delivery, however many restarts");
    }

    @Test
    void jobsRunToTheEndWhileTheirReceiverHangs() throws Exception
    {
        server.close();
        server = null;
        // POSTs that would wait a minute: every delivery thread is stuck in the receiver while the jobs run.
        startHead(new WebhookSettings(3, Duration.ofMillis(100), Duration.ofSeconds(60), 2));
        receiver.hanging = true;
        final List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            jobs.add(submit(hook(receiver.url(), "[\"job.submitted\", \"job.state\", \"attempt.started\"]"))
                .get("id").asLong());
        }
        await("the receiver holding requests", () -> receiver.requests.size() >= 2);
        for (final long job : jobs)
        {
            await("job " + job + " launched", () -> !agents.launches(job).isEmpty());
            for (final LaunchOrder order : agents.launches(job))
            {
                server.head().attemptStarted(order.node(), job, order.attempt());
                for (final RankBlock block : order.local())
                {
                    server.head().rankExited(order.node(), job, order.attempt(), block.firstRank(), 0);
                }
            }
        }
        for (final long job : jobs)
        {
            await("job " + job + " COMPLETED", () -> "COMPLETED".equals(server.head().job(job).orElseThrow().state()
                .name()));
        }
        assertEquals(1, receiver.hang.getCount(), "the receiver was still hanging while every job completed");
        // Events keep being taken up meanwhile: the last job's four (submitted, attempt, RUNNING, COMPLETED).
        await("deliveries of every event of the last job", () ->
        {
            try
            {
                return deliveries(jobs.getLast()).size() == 4;
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }

    /** An admin's client: tokens are an admin's business. */
    private ApiClient admin()
    {
        return api.withToken(server.tokens().create("admin", "root", Role.ADMIN).token());
    }

    /** Makes a user token with default webhooks; returns the creation answer (token and secrets). */
    private JsonNode tokenWithWebhooks(final String webhooks) throws Exception
    {
        final ApiClient.Response created = admin().send("POST", "/tokens", "{\"user\": \"ci\", \"webhooks\": "
            + webhooks + "}");
        assertEquals(201, created.status(), created.body());
        return created.json();
    }

    @Test
    void aTokensDefaultWebhooksSignTheEventsOfJobsSubmittedWithIt() throws Exception
    {
        final JsonNode token = tokenWithWebhooks("[{\"url\": \"" + receiver.url()
            + "\", \"events\": [\"job.submitted\"]}]");
        final String secret = token.get("webhooks").get(0).get("secret").asText();
        assertTrue(secret.startsWith("whsec_"), token.toString());
        api = api.withToken(token.get("token").asText());
        final ApiClient.Response submitted = api.send("POST", "/jobs", "{\"ranks\": 1, \"program\": "
            + "{\"executable\": \"/bin/true\"}}");
        assertEquals(201, submitted.status(), submitted.body());
        assertFalse(submitted.body().contains(secret), "the token's secret was shown again: " + submitted.body());
        final long job = submitted.json().get("id").asLong();
        awaitDelivery(job, "DELIVERED");
        final Received request = receiver.requests.getFirst();
        assertTrue(WebhookSignature.verify(secret, request.header("Cohort-Signature"), request.body(), Instant.now(),
            Duration.ofMinutes(5)));
    }

    @Test
    void aJobsOwnWebhooksOrAnEmptyListTakePrecedenceOverItsTokensDefaults() throws Exception
    {
        final JsonNode token = tokenWithWebhooks("[{\"url\": \"https://defaults.example.org/hook\"}]");
        api = api.withToken(token.get("token").asText());
        final long none = submit("[]").get("id").asLong();
        final long own = submit(hook(receiver.url(), "[\"job.submitted\"]")).get("id").asLong();
        final String noneShown = api.send("GET", "/jobs/" + none, null).body();
        assertFalse(noneShown.contains("defaults.example.org"), noneShown);
        final String ownShown = api.send("GET", "/jobs/" + own, null).body();
        assertTrue(ownShown.contains(receiver.url()) && !ownShown.contains("defaults.example.org"), ownShown);
    }

    @Test
    void tokenListShowsDefaultWebhooksWithoutTheirSecrets() throws Exception
    {
        final String secret = tokenWithWebhooks(hook(receiver.url(), "[\"job.state\"]")).get("webhooks").get(0)
            .get("secret").asText();
        assertEquals(SECRET, secret);
        final String listed = admin().send("GET", "/tokens", null).body();
        assertTrue(listed.contains(receiver.url()) && listed.contains("job.state"), listed);
        assertFalse(listed.contains(SECRET), listed);
    }

    @Test
    void tokenWebhookThatIsNotHttpIsRefusedNamingTheField() throws Exception
    {
        final ApiClient admin = admin();
        final ApiClient.Response response = admin.send("POST", "/tokens", "{\"user\": \"ci\", \"webhooks\": "
            + "[{\"url\": \"ftp://example.org/x\"}]}");
        assertEquals(400, response.status(), response.body());
        assertEquals("webhooks[0].url", response.json().get("field").asText());
        assertFalse(admin.send("GET", "/tokens", null).body().contains("\"ci\""), "a refused token was stored");
    }

    @Test
    void webhookUrlThatIsNotHttpIsRefusedNamingTheField() throws Exception
    {
        final ApiClient.Response response = api.send("POST", "/jobs", "{\"ranks\": 1, \"program\": {\"executable\": "
            + "\"/bin/true\"}, \"webhooks\": [{\"url\": \"ftp://example.org/x\"}]}");
        assertEquals(400, response.status(), response.body());
        assertEquals("webhooks[0].url", response.json().get("field").asText());
        assertTrue(response.json().get("error").asText().contains("http:// or https://"), response.body());
    }

    @Test
    void unknownEventKindIsRefusedNamingTheField() throws Exception
    {
        final ApiClient.Response response = api.send("POST", "/jobs", "{\"ranks\": 1, \"program\": {\"executable\": "
            + "\"/bin/true\"}, \"webhooks\": [{\"url\": \"https://example.org/x\", \"events\": [\"job.state\", "
            + "\"node.state\"]}]}");
        assertEquals(400, response.status(), response.body());
        assertEquals("webhooks[0].events[1]", response.json().get("field").asText());
    }
}

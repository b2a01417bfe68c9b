package io.cohort.head.api;

import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.auth.Role;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.testing.ApiClient;
import io.cohort.head.testing.FakeAgents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsEndpointTest
{
    private static final long WAIT_SECONDS = 20;

    @TempDir
    Path data;

    private final FakeAgents agents = new FakeAgents();
    private final HttpClient http = HttpClient.newHttpClient();
    private HeadServer server;
    private ApiClient alice;
    private String aliceToken;

    @BeforeEach
    void start() throws Exception
    {
        HeadInit.init(data, "localhost:9000", false);
        start(HeadConfig.defaults());
    }

    private void start(final HeadConfig config) throws Exception
    {
        server = HeadServer.start(data, (events, context) -> agents, config, new InetSocketAddress("127.0.0.1", 0));
        server.head().nodeJoined("n1", new NodeCapacity(4, 4, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        aliceToken = server.tokens().create("alice", "alice", Role.USER).token();
        alice = new ApiClient(http, "http://127.0.0.1:" + server.apiPort(), aliceToken);
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
    }

    private HttpResponse<String> scrape(final String method) throws Exception
    {
        return scrape(method, "Bearer " + aliceToken);
    }

    private HttpResponse<String> scrape(final String method, final String authorization) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.apiPort()
            + "/metrics")).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null)
        {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long submit(final String name, final int ranks, final boolean hold) throws Exception
    {
        final ApiClient.Response submitted = alice.send("POST", "/jobs", "{\"name\": \"" + name + "\", \"ranks\": "
            + ranks + ", \"program\": {\"executable\": \"/bin/true\"}, \"hold\": " + hold + "}");
        assertEquals(201, submitted.status(), submitted.body());
        return submitted.json().get("id").asLong();
    }

    /** Scrapes until the exposition has the line (the counters follow the event log within a poll). */
    private String awaitLine(final String line) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        String body = scrape("GET").body();
        while (!body.lines().toList().contains(line) && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            body = scrape("GET").body();
        }
        assertTrue(body.lines().toList().contains(line), "no line '" + line + "' in:\n" + body);
        return body;
    }

    @Test
    void metricsWithoutATokenAreRefusedNamingTheHeaderAndTheOptionThatOpensThem() throws Exception
    {
        final HttpResponse<String> response = scrape("GET", null);
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("Authorization: Bearer TOKEN"), response.body());
        assertTrue(response.body().contains("--public-metrics"), response.body());
    }

    @Test
    void metricsWithARevokedTokenAreRefused() throws Exception
    {
        final var issued = server.tokens().create("scraper", "bob", Role.USER);
        server.tokens().revoke(issued.record().id());
        final HttpResponse<String> response = scrape("GET", "Bearer " + issued.token());
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("revoked"), response.body());
    }

    @Test
    void publicMetricsNeedNoToken() throws Exception
    {
        server.close();
        start(HeadConfig.defaults().withPublicMetrics(true));
        final HttpResponse<String> response = scrape("GET", null);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("# TYPE cohort_jobs gauge"), response.body());
    }

    @Test
    void anyUsersTokenReadsTheMetricsInThePrometheusTextFormat() throws Exception
    {
        final HttpResponse<String> response = scrape("GET");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(response.body().contains("# TYPE cohort_jobs gauge"), response.body());
        assertTrue(response.body().lines().toList().contains("cohort_nodes{state=\"UP\"} 1.0"), response.body());
        assertTrue(response.body().lines().toList().contains("cohort_slots 4.0"), response.body());
    }

    @Test
    void metricsAreReadOnly() throws Exception
    {
        assertEquals(405, scrape("POST").statusCode());
    }

    @Test
    void heldAndPendingJobsAndTheirRanksAreCountedByState() throws Exception
    {
        submit("held", 2, true);
        server.head().setDrained("n1", true);
        submit("waiting", 3, false);
        final String body = awaitLine("cohort_jobs{state=\"HELD\"} 1.0");
        final List<String> lines = body.lines().toList();
        assertTrue(lines.contains("cohort_jobs{state=\"PENDING\"} 1.0"), body);
        assertTrue(lines.contains("cohort_ranks_pending 3.0"), body);
        assertTrue(lines.contains("cohort_nodes{state=\"DRAINING\"} 1.0"), body);
        assertTrue(lines.contains("cohort_slots 0.0"), body);
    }

    @Test
    void submissionsCompletionsAndSchedulingLatencyAreCountedFromTheEventLog() throws Exception
    {
        final long id = submit("counted", 2, false);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (agents.launches(id).isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        awaitLine("cohort_ranks_running 2.0");
        for (final LaunchOrder order : agents.launches(id))
        {
            server.head().attemptStarted(order.node(), id, order.attempt());
            for (final RankBlock block : order.local())
            {
                for (int rank = block.firstRank(); rank < block.firstRank() + block.count(); rank++)
                {
                    server.head().rankExited(order.node(), id, order.attempt(), rank, 0);
                }
            }
        }
        final String body = awaitLine("cohort_jobs_ended_total{state=\"COMPLETED\"} 1.0");
        final List<String> lines = body.lines().toList();
        assertTrue(lines.contains("cohort_jobs_submitted_total 1.0"), body);
        assertTrue(lines.contains("cohort_jobs_ended_total{state=\"FAILED\"} 0.0"), body);
        assertTrue(lines.contains("cohort_scheduling_latency_seconds_count 1"), body);
        assertTrue(lines.contains("cohort_ranks_running 0.0"), body);
    }

    @Test
    void metricsNameNoJobOwnerOrNode() throws Exception
    {
        submit("secret-project", 1, true);
        final String body = awaitLine("cohort_jobs_submitted_total 1.0");
        assertFalse(body.contains("secret-project"), body);
        assertFalse(body.contains("alice"), body);
        assertFalse(body.contains("n1"), body);
    }
}

package io.cohort.head.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.auth.Role;
import io.cohort.head.node.AgentReport;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the dashboard needs of the head node: its page, sessions by cookie, the queue in scheduling order. */
class DashboardApiTest
{
    @TempDir
    Path data;

    private final FakeAgents agents = new FakeAgents();
    private final HttpClient http = HttpClient.newHttpClient();
    private HeadServer server;
    private String base;
    private String adminToken;
    private ApiClient admin;
    private ApiClient alice;

    @BeforeEach
    void start() throws Exception
    {
        adminToken = HeadInit.init(data, "localhost:9000", false).adminToken();
        server = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0));
        server.head().nodeJoined("n1", new NodeCapacity(4, 4, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        base = "http://127.0.0.1:" + server.apiPort();
        admin = new ApiClient(http, base, adminToken);
        alice = admin.withToken(server.tokens().create("alice", "alice", Role.USER).token());
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
    }

    private HttpResponse<String> request(final String method, final String path, final String authorization,
        final String cookie) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null)
        {
            request.header("Authorization", authorization);
        }
        if (cookie != null)
        {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in as the admin and returns the cookie the browser would send back. */
    private String login() throws Exception
    {
        final HttpResponse<String> response = request("POST", "/api/v1/session", "Bearer " + adminToken, null);
        assertEquals(201, response.statusCode(), response.body());
        final String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private long submit(final ApiClient client, final String spec) throws Exception
    {
        final ApiClient.Response response = client.send("POST", "/jobs", spec);
        assertEquals(201, response.status(), response.body());
        return response.json().get("id").asLong();
    }

    private static String job(final String name, final int ranks, final int priority)
    {
        return "{\"name\": \"" + name + "\", \"ranks\": " + ranks + ", \"priority\": " + priority
            + ", \"program\": {\"executable\": \"/bin/true\"}}";
    }

    private void awaitLaunch(final long id) throws InterruptedException
    {
        for (int i = 0; i < 200 && agents.launches(id).isEmpty(); i++)
        {
            Thread.sleep(25);
        }
        assertFalse(agents.launches(id).isEmpty(), "job " + id + " was never launched");
    }

    private static List<Long> ids(final JsonNode answer)
    {
        final List<Long> ids = new ArrayList<>();
        answer.get("jobs").forEach(job -> ids.add(job.get("id").asLong()));
        return ids;
    }

    @Test
    void pageIsServedWithoutATokenWithAStrictContentSecurityPolicyAndNoCaching() throws Exception
    {
        final HttpResponse<String> page = request("GET", "/", null, null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertEquals(Dashboard.CSP, page.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
        assertTrue(page.body().contains("<script src=\"/dashboard.js\""), page.body());
        final HttpResponse<String> script = request("GET", "/dashboard.js", null, null);
        assertEquals(200, script.statusCode());
        assertTrue(script.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
        assertEquals(200, request("GET", "/dashboard.css", null, null).statusCode());
    }

    @Test
    void pageScriptNeverWritesMarkup() throws Exception
    {
        final String script = request("GET", "/dashboard.js", null, null).body();
        for (final String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("))
        {
            assertFalse(script.contains(sink), "the dashboard script uses " + sink);
        }
    }

    @Test
    void onlyGetServesThePage() throws Exception
    {
        assertEquals(405, request("POST", "/", null, null).statusCode());
    }

    @Test
    void apiWithoutTokenOrSessionIsStill401() throws Exception
    {
        for (final String path : List.of("/api/v1/jobs", "/api/v1/nodes", "/api/v1/events", "/api/v1/session"))
        {
            assertEquals(401, request("GET", path, null, null).statusCode(), path);
        }
    }

    @Test
    void loginWithATokenSetsAnHttpOnlyStrictSessionCookieForTheApiOnly() throws Exception
    {
        final HttpResponse<String> response = request("POST", "/api/v1/session", "Bearer " + adminToken, null);
        assertEquals(201, response.statusCode(), response.body());
        final String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.startsWith("cohort_session="), cookie);
        assertTrue(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict")
            && cookie.contains("; Path=/api/v1") && cookie.contains("; Max-Age=28800"), cookie);
        // Plain HTTP here: a Secure cookie would be dropped by browsers (see Sessions); over HTTPS it is Secure.
        assertFalse(cookie.contains("Secure"), cookie);
        final JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
        assertEquals("admin", body.get("user").asText());
        assertEquals("admin", body.get("role").asText());
        assertNotNull(body.get("lastEvent"));
        assertFalse(response.body().contains(adminToken), "the answer repeats the token");
    }

    @Test
    void wrongTokenOpensNoSessionAndSaysWhy() throws Exception
    {
        final HttpResponse<String> response = request("POST", "/api/v1/session",
            "Bearer cohort_0123456789abcdef_" + "A".repeat(43), null);
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("unknown token"), response.body());
        assertTrue(response.headers().firstValue("Set-Cookie").isEmpty());
    }

    @Test
    void sessionCookieAloneReadsJobsNodesAndItself() throws Exception
    {
        final String cookie = login();
        assertEquals(200, request("GET", "/api/v1/jobs", null, cookie).statusCode());
        assertEquals(200, request("GET", "/api/v1/nodes", null, cookie).statusCode());
        final HttpResponse<String> session = request("GET", "/api/v1/session", null, cookie);
        assertEquals(200, session.statusCode());
        assertTrue(session.body().contains("\"expiresAt\""), session.body());
    }

    @Test
    void sessionCookieCannotActOnJobs() throws Exception
    {
        final long id = submit(admin, job("mine", 1, 0));
        final String cookie = login();
        final HttpResponse<String> cancel = request("POST", "/api/v1/jobs/" + id + "/cancel", null, cookie);
        assertEquals(403, cancel.statusCode());
        assertTrue(cancel.body().contains("needs 'Authorization: Bearer TOKEN'"), cancel.body());
    }

    @Test
    void unknownSessionCookieIs401() throws Exception
    {
        final HttpResponse<String> response = request("GET", "/api/v1/jobs", null,
            "cohort_session=" + "B".repeat(43));
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("log in again"), response.body());
    }

    @Test
    void logoutEndsTheSessionAndClearsTheCookie() throws Exception
    {
        final String cookie = login();
        final HttpResponse<String> logout = request("DELETE", "/api/v1/session", null, cookie);
        assertEquals(204, logout.statusCode());
        assertTrue(logout.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
        assertEquals(401, request("GET", "/api/v1/jobs", null, cookie).statusCode());
    }

    @Test
    void revokingTheTokenEndsItsSessions() throws Exception
    {
        final JsonNode created = admin.send("POST", "/tokens", "{\"user\": \"carol\"}").json();
        final HttpResponse<String> login = request("POST", "/api/v1/session",
            "Bearer " + created.get("token").asText(), null);
        final String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        final String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertEquals(200, request("GET", "/api/v1/jobs", null, cookie).statusCode());
        admin.send("DELETE", "/tokens/" + created.get("id").asText(), null);
        final HttpResponse<String> refused = request("GET", "/api/v1/jobs", null, cookie);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("revoked"), refused.body());
    }

    @Test
    void scheduleOrderListsWaitingJobsAsTheSchedulerTakesThem() throws Exception
    {
        final long blocker = submit(admin, job("blocker", 4, 0));
        awaitLaunch(blocker);
        final long low = submit(admin, job("low", 1, 0));
        final long high = submit(alice, job("high", 1, 5));
        final long middle = submit(admin, job("middle", 1, 2));
        final long held = submit(admin, "{\"name\": \"held\", \"ranks\": 1, \"priority\": 9, \"hold\": true, "
            + "\"program\": {\"executable\": \"/bin/true\"}}");
        final long after = submit(admin, "{\"name\": \"after\", \"ranks\": 1, \"priority\": 10, \"program\": "
            + "{\"executable\": \"/bin/true\"}, \"dependencies\": {\"afterSuccess\": [" + blocker + "]}}");
        final JsonNode queue = admin.send("GET", "/jobs?order=schedule", null).json();
        // In line by priority; then those that may not start yet (dependency, hold), by priority too.
        assertEquals(List.of(high, middle, low, after, held), ids(queue));
        assertEquals(1, queue.get("jobs").get(0).get("position").asInt());
        assertEquals(3, queue.get("jobs").get(2).get("position").asInt());
        assertFalse(queue.get("jobs").get(3).has("position"), queue.toPrettyString());
        assertEquals("HELD", queue.get("jobs").get(4).get("state").asText());
    }

    @Test
    void scheduleOrderShowsAUserOnlyTheirJobsWithTheirPlaceInTheWholeLine() throws Exception
    {
        final long blocker = submit(admin, job("blocker", 4, 0));
        awaitLaunch(blocker);
        submit(admin, job("first", 1, 5));
        final long mine = submit(alice, job("mine", 1, 0));
        final JsonNode queue = alice.send("GET", "/jobs?order=schedule", null).json();
        assertEquals(List.of(mine), ids(queue));
        assertEquals(2, queue.get("jobs").get(0).get("position").asInt());
    }

    @Test
    void scheduleOrderWithAStateFilterIsA400() throws Exception
    {
        final ApiClient.Response response = admin.send("GET", "/jobs?order=schedule&state=RUNNING", null);
        assertEquals(400, response.status());
        assertEquals("order", response.json().get("field").asText());
    }

    @Test
    void unknownOrderIsA400ListingTheOrders() throws Exception
    {
        final ApiClient.Response response = admin.send("GET", "/jobs?order=random", null);
        assertEquals(400, response.status());
        assertTrue(response.body().contains("id (default), newest, schedule"), response.body());
    }

    @Test
    void newestOrderPagesFromTheLatestJobDown() throws Exception
    {
        final List<Long> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            submitted.add(submit(admin, job("j" + i, 1, 0)));
        }
        final JsonNode first = admin.send("GET", "/jobs?order=newest&limit=2", null).json();
        assertEquals(List.of(submitted.get(4), submitted.get(3)), ids(first));
        final JsonNode second = admin.send("GET", "/jobs?order=newest&limit=2&after=" + first.get("next").asLong(),
            null).json();
        assertEquals(List.of(submitted.get(2), submitted.get(1)), ids(second));
    }
}

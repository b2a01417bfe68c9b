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
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiServerTest
{
    private static final String JOB =
        "{\"name\": \"hello\", \"ranks\": 2, \"program\": {\"executable\": \"/bin/true\"}}";

    @TempDir
    Path data;

    private final FakeAgents agents = new FakeAgents();
    private HeadServer server;
    private ApiClient admin;
    private ApiClient alice;
    private ApiClient bob;

    @BeforeEach
    void start() throws Exception
    {
        final HeadInit.Result init = HeadInit.init(data, "localhost:9000", false);
        server = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults().withMaxPackageBytes(1000),
            new InetSocketAddress("127.0.0.1", 0));
        server.head().nodeJoined("n1", new NodeCapacity(4, 4, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        admin = new ApiClient(HttpClient.newHttpClient(), "http://127.0.0.1:" + server.apiPort(), init.adminToken());
        alice = admin.withToken(server.tokens().create("alice", "alice", Role.USER).token());
        bob = admin.withToken(server.tokens().create("bob", "bob", Role.USER).token());
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
    }

    @Test
    void submitAnswers201WithTheIdAndTheJobCanBeShown() throws Exception
    {
        final ApiClient.Response submitted = alice.send("POST", "/jobs", JOB);
        assertEquals(201, submitted.status(), submitted.body());
        final long id = submitted.json().get("id").asLong();
        final JsonNode shown = alice.send("GET", "/jobs/" + id, null).json();
        assertEquals("hello", shown.get("name").asText());
        assertEquals("alice", shown.get("owner").asText());
        assertTrue(List.of("PENDING", "STARTING").contains(shown.get("state").asText()), shown.toString());
        assertEquals(2, shown.get("spec").get("ranks").asInt());
    }

    @Test
    void requestWithoutATokenIsRefusedWith401() throws Exception
    {
        final ApiClient.Response response = alice.withToken(null).send("GET", "/jobs", null);
        assertEquals(401, response.status());
        assertTrue(response.json().get("error").asText().contains("Authorization"), response.body());
    }

    @Test
    void wrongTokenIsRefusedWith401() throws Exception
    {
        final String forged = "cohort_0123456789abcdef_" + "A".repeat(43);
        assertEquals(401, alice.withToken(forged).send("GET", "/jobs", null).status());
    }

    @Test
    void revokedTokenIsRefusedWith401() throws Exception
    {
        final JsonNode created = admin.send("POST", "/tokens", "{\"user\": \"carol\"}").json();
        final ApiClient carol = admin.withToken(created.get("token").asText());
        assertEquals(200, carol.send("GET", "/jobs", null).status());
        assertEquals(200, admin.send("DELETE", "/tokens/" + created.get("id").asText(), null).status());
        final ApiClient.Response refused = carol.send("GET", "/jobs", null);
        assertEquals(401, refused.status());
        assertTrue(refused.body().contains("revoked"), refused.body());
    }

    @Test
    void malformedJsonIsA400SayingWhere() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs", "{\"ranks\": 2,");
        assertEquals(400, response.status());
        assertTrue(response.json().get("error").asText().startsWith("malformed JSON at line 1"), response.body());
    }

    @Test
    void jsonWithTrailingContentIsA400AndStoresNothing() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs",
            "{\"ranks\": 1, \"program\": {\"jar\": \"app.jar\"}}}");
        assertEquals(400, response.status(), response.body());
        assertTrue(response.json().get("error").asText().startsWith("malformed JSON"), response.body());
        assertEquals(0, alice.send("GET", "/jobs", null).json().get("jobs").size());
    }

    @Test
    void unknownFieldIsA400NamingTheField() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs",
            "{\"ranks\": 2, \"program\": {\"executable\": \"/bin/true\"}, \"prio\": 3}");
        assertEquals(400, response.status());
        assertEquals("prio", response.json().get("field").asText());
    }

    @Test
    void moreRanksThanTheClusterHasIsA400AndStoresNothing() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs",
            "{\"ranks\": 64, \"program\": {\"executable\": \"/bin/true\"}}");
        assertEquals(400, response.status());
        assertEquals("ranks", response.json().get("field").asText());
        assertEquals(0, admin.send("GET", "/jobs", null).json().get("jobs").size());
    }

    @Test
    void layoutNoNodeCanHoldIsA400NamingTheLayoutAndTheCluster() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs",
            "{\"ranks\": 2, \"layout\": {\"nodes\": 2}, \"program\": {\"executable\": \"/bin/true\"}}");
        assertEquals(400, response.status(), response.body());
        assertEquals("layout", response.json().get("field").asText());
        assertTrue(response.json().get("error").asText().contains("can never be placed: the cluster has 4 slots on 1 "
            + "nodes"), response.body());
        assertEquals(0, admin.send("GET", "/jobs", null).json().get("jobs").size());
    }

    @Test
    void bodyLargerThanTheLimitIsA413SayingTheLimit() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs", "{\"name\": \"" + "x".repeat(600 * 1024)
            + "\"}");
        assertEquals(413, response.status());
        assertTrue(response.json().get("error").asText().contains("the request body is larger than"),
            response.body());
        assertEquals(0, admin.send("GET", "/jobs", null).json().get("jobs").size());
    }

    @Test
    void missingPackageIsA400NamingThePackage() throws Exception
    {
        final ApiClient.Response response = alice.send("POST", "/jobs", "{\"ranks\": 1, \"program\": {\"jar\": "
            + "\"app.jar\"}, \"package\": \"" + "0".repeat(64) + "\"}");
        assertEquals(400, response.status());
        assertEquals("package", response.json().get("field").asText());
    }

    @Test
    void dependingOnAnotherUsersJobIsAnsweredAsNoSuchJob() throws Exception
    {
        final long bobs = bob.send("POST", "/jobs", JOB).json().get("id").asLong();
        final ApiClient.Response response = alice.send("POST", "/jobs", "{\"ranks\": 1, \"program\": "
            + "{\"executable\": \"/bin/true\"}, \"dependencies\": {\"afterSuccess\": [" + bobs + "]}}");
        assertEquals(400, response.status(), response.body());
        assertEquals("dependencies", response.json().get("field").asText());
        assertTrue(response.json().get("error").asText().contains("no job " + bobs + " to depend on"),
            response.body());
        assertEquals(201, bob.send("POST", "/jobs", "{\"ranks\": 1, \"program\": {\"executable\": "
            + "\"/bin/true\"}, \"dependencies\": {\"afterAny\": [" + bobs + "]}}").status(), "bob's own job");
    }

    @Test
    void uploadedPackageCanBeUsedBySubmissions() throws Exception
    {
        // The smallest zip: an end-of-central-directory record and nothing else (ASCII, so a string body carries it).
        final ApiClient.Response upload = alice.send("PUT", "/packages", "PK\u0005\u0006" + "\u0000".repeat(18));
        assertEquals(201, upload.status(), upload.body());
        final String hash = upload.json().get("package").asText();
        assertEquals(201, alice.send("POST", "/jobs", "{\"ranks\": 1, \"program\": {\"jar\": \"app.jar\"}, "
            + "\"package\": \"" + hash + "\"}").status());
    }

    @Test
    void uploadThatIsNotAJarOrZipIsA400NamingThePackageAndLeavesNoFile() throws Exception
    {
        final ApiClient.Response response = alice.send("PUT", "/packages", "#!/bin/sh\necho not a jar\n");
        assertEquals(400, response.status(), response.body());
        assertEquals("package", response.json().get("field").asText());
        assertTrue(response.json().get("error").asText().contains("the package is not a jar or zip file"),
            response.body());
        try (Stream<Path> files = Files.list(data.resolve("packages")))
        {
            assertEquals(0, files.count());
        }
    }

    @Test
    void oversizedUploadIsA413AndLeavesNoFile() throws Exception
    {
        final ApiClient.Response response = alice.send("PUT", "/packages", "x".repeat(1001));
        assertEquals(413, response.status());
        assertEquals("package", response.json().get("field").asText());
        assertTrue(response.json().get("error").asText().contains("the package has 1001 bytes; the limit is 1000"),
            response.body());
        try (Stream<Path> files = Files.list(data.resolve("packages")))
        {
            assertEquals(0, files.count());
        }
    }

    @Test
    void userSeesAndTouchesOnlyTheirOwnJobs() throws Exception
    {
        final long id = alice.send("POST", "/jobs", JOB).json().get("id").asLong();
        assertEquals(404, bob.send("GET", "/jobs/" + id, null).status());
        assertEquals(404, bob.send("POST", "/jobs/" + id + "/cancel", null).status());
        assertEquals(0, bob.send("GET", "/jobs", null).json().get("jobs").size());
        assertEquals(1, admin.send("GET", "/jobs", null).json().get("jobs").size());
    }

    @Test
    void onlyAnAdminDrainsNodesOrManagesTokens() throws Exception
    {
        assertEquals(403, alice.send("POST", "/nodes/n1/drain", null).status());
        assertEquals(403, alice.send("GET", "/tokens", null).status());
        final ApiClient.Response drained = admin.send("POST", "/nodes/n1/drain", null);
        assertEquals("DRAINING", drained.json().get("state").asText());
        assertEquals("DRAINING", alice.send("GET", "/nodes", null).json().get("nodes").get(0).get("state").asText());
        assertEquals("UP", admin.send("POST", "/nodes/n1/resume", null).json().get("state").asText());
    }

    @Test
    void listingPagesWithNext() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            alice.send("POST", "/jobs", JOB);
        }
        final JsonNode first = alice.send("GET", "/jobs?limit=2", null).json();
        assertEquals(2, first.get("jobs").size());
        final JsonNode second = alice.send("GET", "/jobs?limit=2&after=" + first.get("next").asLong(), null).json();
        assertEquals(1, second.get("jobs").size());
        assertFalse(second.has("next"));
        assertEquals(400, alice.send("GET", "/jobs?state=RUNING", null).status());
    }

    @Test
    void holdReleaseAndCancelMoveTheJobAndImpossibleMovesAre409() throws Exception
    {
        admin.send("POST", "/nodes/n1/drain", null);
        final long id = alice.send("POST", "/jobs", JOB).json().get("id").asLong();
        assertEquals("HELD", alice.send("POST", "/jobs/" + id + "/hold", null).json().get("state").asText());
        assertEquals(409, alice.send("POST", "/jobs/" + id + "/hold", null).status());
        assertEquals("PENDING", alice.send("POST", "/jobs/" + id + "/release", null).json().get("state").asText());
        assertEquals("CANCELLED", alice.send("POST", "/jobs/" + id + "/cancel", null).json().get("state").asText());
        assertEquals(409, alice.send("POST", "/jobs/" + id + "/cancel", null).status());
    }

    @Test
    void logsReturnARanksOutputWithTheNextOffset() throws Exception
    {
        final long id = alice.send("POST", "/jobs", JOB).json().get("id").asLong();
        server.head().tick();
        server.head().output(id, 1, 1, "rank one\n".getBytes(StandardCharsets.UTF_8));
        final ApiClient.Response logs = alice.send("GET", "/jobs/" + id + "/logs?rank=1", null);
        assertEquals("rank one\n", logs.body());
        assertEquals("9", logs.raw().headers().firstValue("Cohort-Next-Offset").orElseThrow());
        assertEquals("", alice.send("GET", "/jobs/" + id + "/logs?rank=1&offset=9", null).body());
        final ApiClient.Response beyond = alice.send("GET", "/jobs/" + id + "/logs?rank=2", null);
        assertEquals(400, beyond.status());
        assertTrue(beyond.json().get("error").asText().startsWith("rank=2 is out of range; allowed 0 to 1"),
            beyond.body());
    }

    @Test
    void eventsOfAJobComeInSequenceOrder() throws Exception
    {
        final long id = alice.send("POST", "/jobs", JOB).json().get("id").asLong();
        alice.send("POST", "/jobs/" + id + "/cancel", null);
        final JsonNode events = alice.send("GET", "/events?job=" + id, null).json().get("events");
        assertEquals("job.submitted", events.get(0).get("kind").asText());
        assertTrue(events.get(1).get("seq").asLong() > events.get(0).get("seq").asLong());
        final JsonNode own = alice.send("GET", "/events", null).json().get("events");
        own.forEach(event -> assertTrue(!event.has("job") || event.get("job").asLong() == id, event.toString()));
        assertEquals(0, bob.send("GET", "/events", null).json().get("events").findValues("job").size());
    }

    @Test
    void openApiDocumentDescribesTheEndpoints() throws Exception
    {
        final JsonNode doc = alice.send("GET", "/openapi.json", null).json();
        assertEquals("3.1.0", doc.get("openapi").asText());
        for (final String path : List.of("/jobs", "/jobs/{id}", "/jobs/{id}/cancel", "/jobs/{id}/hold",
            "/jobs/{id}/release", "/jobs/{id}/requeue", "/jobs/{id}/logs", "/nodes", "/nodes/{name}/drain",
            "/nodes/{name}/resume", "/tokens", "/tokens/{id}", "/packages", "/events"))
        {
            assertTrue(doc.get("paths").has(path), "the OpenAPI document describes " + path);
        }
    }

    @Test
    void wrongMethodIsA405NamingEveryAllowedMethodAlsoInTheAllowHeader() throws Exception
    {
        final ApiClient.Response put = alice.send("PUT", "/jobs", JOB);
        assertEquals(405, put.status(), put.body());
        assertEquals("GET, POST", put.raw().headers().firstValue("Allow").orElse(""));
        assertTrue(put.json().get("error").asText().contains("use GET, POST"), put.body());
        final ApiClient.Response delete = admin.send("DELETE", "/tokens", null);
        assertEquals("GET, POST", delete.raw().headers().firstValue("Allow").orElse(""), delete.body());
    }

    @Test
    void headRequestIsAnsweredWithoutAWarningFromTheServer() throws Exception
    {
        final List<LogRecord> warnings = new ArrayList<>();
        final Logger logger = Logger.getLogger("com.sun.net.httpserver");
        final Handler handler = new Handler()
        {
            @Override
            public void publish(final LogRecord record)
            {
                if (record.getLevel().intValue() >= Level.WARNING.intValue())
                {
                    synchronized (warnings)
                    {
                        warnings.add(record);
                    }
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        logger.addHandler(handler);
        try
        {
            final ApiClient.Response head = alice.send("HEAD", "/jobs", null);
            assertEquals(405, head.status());
            assertEquals("", head.body());
        }
        finally
        {
            logger.removeHandler(handler);
        }
        synchronized (warnings)
        {
            assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList());
        }
    }

    @Test
    void eventsOfAJobThatIsNotAnIdNameTheJobParameter() throws Exception
    {
        final ApiClient.Response events = alice.send("GET", "/events?job=abc", null);
        assertEquals(400, events.status());
        assertEquals("job", events.json().get("field").asText(), events.body());
    }

    @Test
    void tokenRoleThatIsNotAStringIsA400SayingSo() throws Exception
    {
        final ApiClient.Response created = admin.send("POST", "/tokens", "{\"user\": \"carol\", \"role\": 1}");
        assertEquals(400, created.status());
        assertEquals("role", created.json().get("field").asText());
        assertTrue(created.json().get("error").asText().contains("must be a string"), created.body());
    }
}

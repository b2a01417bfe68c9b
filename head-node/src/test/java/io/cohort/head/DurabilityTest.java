package io.cohort.head;

import io.cohort.head.job.Job;
import io.cohort.head.job.JobState;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.store.JobQuery;
import io.cohort.head.testing.ApiClient;
import io.cohort.head.testing.FakeAgents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real head node JVM killed with SIGKILL while jobs are submitted and running. */
class DurabilityTest
{
    @TempDir
    Path data;

    @Test
    void everyAcknowledgedJobSurvivesASigkillAndRunningJobsAreNotStartedAgain() throws Exception
    {
        final String token = HeadInit.init(data, "localhost:9000", false).adminToken();
        final Path portFile = data.resolve("port");
        final Process head = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.cohort.head.testing.HeadProcess", data.toString(),
            portFile.toString()).redirectErrorStream(true).redirectOutput(data.resolve("head.log").toFile()).start();
        final List<Long> acknowledged = new ArrayList<>();
        try
        {
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(portFile))
            {
                assertTrue(head.isAlive() && System.nanoTime() < deadline, "the head node did not start: "
                    + Files.readString(data.resolve("head.log")));
                Thread.sleep(50);
            }
            final ApiClient api = new ApiClient(HttpClient.newHttpClient(), "http://127.0.0.1:"
                + Files.readString(portFile), token);
            final ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                submitters.add(Thread.ofVirtual().start(() ->
                {
                    while (!stop.get())
                    {
                        try
                        {
                            final ApiClient.Response response = api.send("POST", "/jobs",
                                "{\"ranks\": 1, \"program\": {\"executable\": \"/bin/sleep\"}, \"args\": [\"1000\"]}");
                            if (response.status() == 201)
                            {
                                acks.add(response.json().get("id").asLong());
                            }
                        }
                        catch (final Exception ex)
                        {
                            // The head node is gone: what was not answered was not acknowledged.
                            return;
                        }
                    }
                }));
            }
            while (acks.size() < 200 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            head.destroyForcibly();
            head.waitFor();
            stop.set(true);
            for (final Thread submitter : submitters)
            {
                submitter.join();
            }
            acknowledged.addAll(acks);
        }
        finally
        {
            head.destroyForcibly();
            head.waitFor();
        }
        assertTrue(acknowledged.size() >= 200, "acknowledged " + acknowledged.size());
        final FakeAgents agents = new FakeAgents();
        try (HeadServer restarted = HeadServer.start(data, (events, context) -> agents, HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0)))
        {
            for (final long id : acknowledged)
            {
                assertTrue(restarted.head().job(id).isPresent(), "acknowledged job " + id + " was lost");
            }
            final List<Job> running = restarted.head().jobs(new JobQuery(Set.of("RUNNING", "STARTING"), null, null,
                0, 1000));
            assertTrue(running.size() >= 1, "some jobs were running when the head node was killed");
            // The node reports every attempt it still runs: none of them may start again.
            final List<AgentReport.Running> report = running.stream()
                .map(job -> new AgentReport.Running(job.id(), job.attempts(), List.of(0), Map.of())).toList();
            restarted.head().nodeJoined("n1", new NodeCapacity(64, 64, 1L << 30, List.of("shm")), null,
                new AgentReport("n1", report));
            restarted.head().tick();
            for (final Job job : running)
            {
                assertTrue(agents.launches(job.id()).isEmpty(), "job " + job.id() + " was started again");
                final JobState state = restarted.head().job(job.id()).orElseThrow().state();
                assertTrue(state instanceof JobState.Running || state instanceof JobState.Starting, state.name());
            }
            assertEquals(0, agents.kills().size());
        }
    }
}

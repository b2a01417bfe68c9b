package io.cohort.benchmarks.head;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.head.cli.ClientConfig;
import io.cohort.head.cli.HeadClient;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The head node's throughput: submits many one-rank jobs through the REST API from concurrent clients and
 * measures how fast they are accepted (each answer comes after its job is durable) and how fast they complete
 * (from the first submission until none of them is waiting or running), as Slurm quotes jobs per second.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class SubmitThroughput
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HeadClient client;
    private final PrintStream out;
    private final List<long[]> heldJobs = new ArrayList<>();

    /**
     * A benchmark against the head node a client configuration names.
     *
     * @param config client.json from {@code cohort head init} (with an admin or user token)
     * @param out    where the report goes
     * @throws IOException if the configuration cannot be read
     */
    public SubmitThroughput(final Path config, final PrintStream out) throws IOException
    {
        this.client = new HeadClient(ClientConfig.load(config));
        this.out = out;
    }

    /** What one run measured. */
    public record Result(int jobs, double acceptedPerSecond, double completedPerSecond, long completed, long failed)
    {
    }

    /**
     * Submits the jobs and waits for them to end.
     *
     * @param jobs        how many
     * @param concurrency how many clients submit at once
     * @param executable  what each job runs (one rank)
     * @param held        submit the jobs held, so that none runs: the acceptance path alone is measured
     *                    ({@link Result#completedPerSecond()} is then 0); {@link #cancelHeld} cancels them
     * @param prefix      what starts each line of the report, e.g. "# "
     * @return the rates
     * @throws IOException          if the head node refuses a job or cannot be reached
     * @throws InterruptedException if interrupted
     */
    public Result run(final int jobs, final int concurrency, final String executable, final boolean held,
        final String prefix)
        throws IOException, InterruptedException
    {
        final String name = "bench-" + Long.toHexString(System.nanoTime());
        final ObjectNode spec = JSON.createObjectNode();
        spec.put("name", name);
        spec.put("ranks", 1);
        spec.putObject("program").put("executable", executable);
        if (held)
        {
            spec.put("hold", true);
        }
        final long[] ids = new long[jobs];
        final AtomicLong lastAccepted = new AtomicLong();
        final long start = System.nanoTime();
        inParallel(jobs, concurrency, "a submission", job ->
        {
            ids[job] = client.call("POST", "/jobs", spec).path("id").asLong();
            lastAccepted.accumulateAndGet(System.nanoTime(), Math::max);
        });
        final double acceptSeconds = (lastAccepted.get() - start) / 1e9;
        out.printf(prefix + "%d jobs accepted in %.2f s: %.0f jobs/s (each answered after its commit)%n", jobs,
            acceptSeconds, jobs / acceptSeconds);
        if (held)
        {
            heldJobs.add(ids);
            return new Result(jobs, jobs / acceptSeconds, 0, 0, 0);
        }
        final String query = "/jobs?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        while (!client.call("GET", query + "&state=PENDING,HELD,STARTING,RUNNING&limit=1", null).path("jobs")
            .isEmpty())
        {
            // Every 100 ms: the answer is at most that late (under 1 % of a 10,000-job run), and polling faster
            // took 7 % of the head node's CPU away from the jobs it measures.
            Thread.sleep(100);
        }
        final double doneSeconds = (System.nanoTime() - start) / 1e9;
        final long completed = count(query + "&state=COMPLETED");
        final long failed = jobs - completed;
        out.printf(prefix + "%d jobs ended %.2f s after the first submission: %.0f jobs/s (%d completed, %d not)%n",
            jobs,
            doneSeconds, jobs / doneSeconds, completed, failed);
        return new Result(jobs, jobs / acceptSeconds, jobs / doneSeconds, completed, failed);
    }

    /**
     * Cancels the held jobs submitted so far.
     *
     * @param concurrency how many clients cancel at once
     * @return how many were cancelled
     * @throws IOException          if the head node refuses
     * @throws InterruptedException if interrupted
     */
    public int cancelHeld(final int concurrency) throws IOException, InterruptedException
    {
        int cancelled = 0;
        for (final long[] ids : heldJobs)
        {
            cancel(ids, concurrency);
            cancelled += ids.length;
        }
        heldJobs.clear();
        return cancelled;
    }

    private void cancel(final long[] ids, final int concurrency) throws IOException, InterruptedException
    {
        inParallel(ids.length, concurrency, "cancelling a held job", job ->
            client.call("POST", "/jobs/" + ids[job] + "/cancel", null));
    }

    /** One call to the head node, for the job of an index. */
    @FunctionalInterface
    private interface Call
    {
        void make(int job) throws IOException;
    }

    /** Makes the call for every index from 0 to {@code count - 1}, from {@code concurrency} clients at once. */
    private static void inParallel(final int count, final int concurrency, final String what, final Call call)
        throws IOException, InterruptedException
    {
        final AtomicInteger next = new AtomicInteger();
        final IOException[] failure = new IOException[1];
        final List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++)
        {
            clients.add(Thread.ofVirtual().start(() ->
            {
                int job;
                while ((job = next.getAndIncrement()) < count && failure[0] == null)
                {
                    try
                    {
                        call.make(job);
                    }
                    catch (final IOException ex)
                    {
                        failure[0] = ex;
                    }
                }
            }));
        }
        for (final Thread thread : clients)
        {
            thread.join();
        }
        if (failure[0] != null)
        {
            throw new IOException(what + " failed: " + failure[0].getMessage(), failure[0]);
        }
    }

    private long count(final String query) throws IOException
    {
        long total = 0;
        long after = 0;
        while (true)
        {
            final JsonNode page = client.call("GET", query + "&limit=1000&after=" + after, null);
            total += page.path("jobs").size();
            if (!page.hasNonNull("next"))
            {
                return total;
            }
            after = page.path("next").asLong();
        }
    }
}

package io.cohort.head.metrics;

import io.cohort.head.job.Job;
import io.cohort.head.job.JobState;
import io.cohort.head.node.NodeState;
import io.cohort.head.node.NodeStatus;
import io.cohort.head.service.HeadNode;
import io.cohort.head.store.Event;
import io.cohort.head.store.JobQuery;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The head node's Prometheus metrics, served at {@code GET /metrics} in the Prometheus text format. Gauges (jobs by
 * live state, running and pending ranks, nodes by state, slots) are computed from the head node at each scrape;
 * counters (submissions, ended jobs by final state) and the scheduling latency histogram are fed from the event log
 * since this head node started ({@link #observe(Event)}). Labels are states only: no job name, owner or node name
 * appears, so the endpoint can be scraped without a token.
 *
 * <pre>{@code
 * HeadMetrics metrics = new HeadMetrics(head);
 * feed.forEach(metrics::observe);     // every new event, once, in order
 * byte[] text = metrics.scrape();     // what Prometheus reads
 * }</pre>
 *
 * Thread-safe: {@link #observe} is called from one thread, {@link #scrape} from any.
 */
public final class HeadMetrics
{
    /** The content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** The live states, the ones counted by the jobs gauge. */
    static final List<String> LIVE = List.of("PENDING", "HELD", "STARTING", "RUNNING");

    /** The final states, the ones counted by the ended counter. */
    static final List<String> FINAL = List.of("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT", "DEAD_LETTER");

    /** Submissions remembered for the latency histogram; beyond it the oldest is forgotten (never measured). */
    private static final int MAX_WAITING = 100_000;
    private static final int PAGE = 1000;

    private final HeadNode head;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Gauge jobs;
    private final Gauge ranksRunning;
    private final Gauge ranksPending;
    private final Gauge nodes;
    private final Gauge slots;
    private final Gauge slotsUsed;
    private final Counter submitted;
    private final Counter ended;
    private final Histogram latency;
    private final Counter webhookDeliveries;
    /** Job id → when it was submitted, until its first attempt starts or it ends; only the feed thread uses it. */
    private final Map<Long, Instant> waiting = new LinkedHashMap<>(1024, 0.75f, false)
    {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<Long, Instant> eldest)
        {
            return size() > MAX_WAITING;
        }
    };

    /**
     * Metrics of a head node.
     *
     * @param head the head node
     */
    public HeadMetrics(final HeadNode head)
    {
        this.head = head;
        jobs = Gauge.builder().name("cohort_jobs").help("Jobs in each live state").labelNames("state")
            .register(registry);
        ranksRunning = Gauge.builder().name("cohort_ranks_running")
            .help("Ranks of STARTING and RUNNING jobs").register(registry);
        ranksPending = Gauge.builder().name("cohort_ranks_pending")
            .help("Ranks of PENDING jobs (HELD not counted): the demand an autoscaler should meet").register(registry);
        nodes = Gauge.builder().name("cohort_nodes").help("Compute nodes in each state").labelNames("state")
            .register(registry);
        slots = Gauge.builder().name("cohort_slots").help("Rank slots on UP nodes").register(registry);
        slotsUsed = Gauge.builder().name("cohort_slots_used").help("Rank slots in use, on nodes in any state")
            .register(registry);
        submitted = Counter.builder().name("cohort_jobs_submitted")
            .help("Jobs submitted since this head node started").register(registry);
        ended = Counter.builder().name("cohort_jobs_ended")
            .help("Jobs that reached a final state since this head node started").labelNames("state")
            .register(registry);
        latency = Histogram.builder().name("cohort_scheduling_latency_seconds")
            .help("From submission to the start of the first attempt, for jobs submitted since this head node "
                + "started").classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400)
            .register(registry);
        webhookDeliveries = Counter.builder().name("cohort_webhook_deliveries")
            .help("Webhook delivery attempts since this head node started, by outcome: delivered (a 2xx answer), "
                + "retried (failed, will be tried again), failed (failed for the last time)").labelNames("outcome")
            .register(registry);
        for (final String state : FINAL)
        {
            // Present from the start, so rate() sees the first increase.
            ended.labelValues(state);
        }
        for (final String outcome : List.of("delivered", "retried", "failed"))
        {
            webhookDeliveries.labelValues(outcome);
        }
    }

    /**
     * Counts one event; call it for every new event, once, in sequence order.
     *
     * @param event the event
     */
    public void observe(final Event event)
    {
        switch (event.kind())
        {
            case "job.submitted" ->
            {
                submitted.inc();
                waiting.put(event.jobId(), event.at());
            }
            case "attempt.started" ->
            {
                final Instant since = waiting.remove(event.jobId());
                if (since != null)
                {
                    latency.observe(Math.max(0, Duration.between(since, event.at()).toNanos()) / 1e9);
                }
            }
            case "job.state" ->
            {
                if (event.state() != null && FINAL.contains(event.state()))
                {
                    ended.labelValues(event.state()).inc();
                    waiting.remove(event.jobId());
                }
            }
            default ->
            {
                // node events and kinds added later count nowhere here
            }
        }
    }

    /**
     * Counts one webhook delivery attempt.
     *
     * @param outcome delivered, retried or failed
     */
    public void webhookDelivery(final String outcome)
    {
        webhookDeliveries.labelValues(outcome).inc();
    }

    /**
     * The metrics now, in the Prometheus text format.
     *
     * @return the exposition
     */
    public synchronized byte[] scrape()
    {
        final Map<String, Integer> byState = new LinkedHashMap<>();
        LIVE.forEach(state -> byState.put(state, 0));
        long running = 0;
        long pending = 0;
        long after = 0;
        while (true)
        {
            // Live jobs only: their number is bounded by the queue, not by the history.
            final List<Job> page = head.jobs(new JobQuery(Set.copyOf(LIVE), null, null, after, PAGE));
            for (final Job job : page)
            {
                final JobState state = job.state();
                byState.merge(state.name(), 1, Integer::sum);
                if (state instanceof JobState.Starting || state instanceof JobState.Running)
                {
                    running += job.spec().ranks();
                }
                else if (state instanceof JobState.Pending)
                {
                    pending += job.spec().ranks();
                }
            }
            if (page.size() < PAGE)
            {
                break;
            }
            after = page.get(page.size() - 1).id();
        }
        byState.forEach((state, count) -> jobs.labelValues(state).set(count));
        ranksRunning.set(running);
        ranksPending.set(pending);
        final Map<NodeState, Integer> nodeCount = new EnumMap<>(NodeState.class);
        for (final NodeState state : NodeState.values())
        {
            nodeCount.put(state, 0);
        }
        long up = 0;
        long used = 0;
        for (final Map.Entry<NodeStatus, Integer> node : head.nodes().entrySet())
        {
            nodeCount.merge(node.getKey().state(), 1, Integer::sum);
            if (node.getKey().state() == NodeState.UP)
            {
                up += node.getKey().capacity().slots();
            }
            used += node.getValue();
        }
        nodeCount.forEach((state, count) -> nodes.labelValues(state.name()).set(count));
        slots.set(up);
        slotsUsed.set(used);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try
        {
            writer.write(out, registry.scrape());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the metrics", ex);
        }
        return out.toByteArray();
    }
}

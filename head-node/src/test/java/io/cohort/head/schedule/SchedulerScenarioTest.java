package io.cohort.head.schedule;

import io.cohort.head.job.Layout;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.NodeState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenarios over simulated time: the scheduler is called once per simulated second, as the head node calls it. */
class SchedulerScenarioTest
{
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A simulated cluster: jobs run for their given duration, nodes may go down. */
    private static final class Cluster
    {
        final Scheduler scheduler = new Scheduler(new SchedulingPolicy(Duration.ofSeconds(30), 1000));
        final Map<String, NodeView> nodes = new LinkedHashMap<>();
        final List<QueuedJob> queue = new ArrayList<>();
        final Map<Long, Duration> runtime = new HashMap<>();
        final Map<Long, Allocation> running = new LinkedHashMap<>();
        final Map<Long, Instant> startedAt = new HashMap<>();
        final Map<Long, Instant> endedAt = new HashMap<>();
        Instant now = T0;
        long nextId = 1;

        Cluster node(final String name, final int slots)
        {
            nodes.put(name, new NodeView(name, NodeState.UP, slots));
            return this;
        }

        long submit(final int priority, final int ranks, final Duration runs, final Duration limit)
        {
            final long id = nextId++;
            queue.add(new QueuedJob(id, priority, now, ranks, Layout.packed(), limit));
            runtime.put(id, runs);
            return id;
        }

        void step()
        {
            for (final Allocation allocation : List.copyOf(running.values()))
            {
                if (!startedAt.get(allocation.jobId()).plus(runtime.get(allocation.jobId())).isAfter(now))
                {
                    running.remove(allocation.jobId());
                    endedAt.put(allocation.jobId(), now);
                }
            }
            final Decision decision = scheduler.schedule(queue, List.copyOf(nodes.values()),
                List.copyOf(running.values()), now);
            for (final Decision.Start start : decision.starts())
            {
                final QueuedJob job = queue.stream().filter(q -> q.id() == start.jobId()).findFirst().orElseThrow();
                queue.remove(job);
                running.put(job.id(), new Allocation(job.id(), start.placement(),
                    job.timeLimit() == null ? null : now.plus(job.timeLimit())));
                startedAt.put(job.id(), now);
            }
            assertNoSlotOverbooked();
            now = now.plusSeconds(1);
        }

        void loseNode(final String name)
        {
            nodes.put(name, new NodeView(name, NodeState.DOWN, nodes.get(name).slots()));
            for (final Allocation allocation : List.copyOf(running.values()))
            {
                if (allocation.blocks().stream().anyMatch(b -> b.node().equals(name)))
                {
                    // The head node requeues the whole gang as a new attempt.
                    running.remove(allocation.jobId());
                    startedAt.remove(allocation.jobId());
                    final QueuedJob again = new QueuedJob(allocation.jobId(), 0, now, allocation.blocks().stream()
                        .mapToInt(RankBlock::count).sum(), Layout.packed(), null);
                    queue.add(again);
                }
            }
        }

        void assertNoSlotOverbooked()
        {
            final Map<String, Integer> used = new HashMap<>();
            for (final Allocation allocation : running.values())
            {
                for (final RankBlock block : allocation.blocks())
                {
                    used.merge(block.node(), block.count(), Integer::sum);
                    assertTrue(nodes.get(block.node()).state() != NodeState.DOWN
                        || !startedAt.get(allocation.jobId()).equals(now), "started on a down node");
                }
            }
            used.forEach((node, count) -> assertTrue(count <= nodes.get(node).slots(), node + " overbooked: "
                + count));
        }

        void runFor(final int seconds)
        {
            for (int i = 0; i < seconds; i++)
            {
                step();
            }
        }
    }

    @Test
    void jobsStartInPriorityOrderWhenTheyCompeteForTheSameSlots()
    {
        final Cluster cluster = new Cluster().node("n1", 4);
        final long low = cluster.submit(0, 4, Duration.ofSeconds(5), null);
        final long high = cluster.submit(10, 4, Duration.ofSeconds(5), null);
        final long mid = cluster.submit(5, 4, Duration.ofSeconds(5), null);
        cluster.runFor(20);
        assertTrue(cluster.startedAt.get(high).isBefore(cluster.startedAt.get(mid)));
        assertTrue(cluster.startedAt.get(mid).isBefore(cluster.startedAt.get(low)));
    }

    @Test
    void backfilledJobsNeverDelayTheReservedJob()
    {
        final Cluster cluster = new Cluster().node("n1", 4).node("n2", 4);
        final long first = cluster.submit(0, 6, Duration.ofSeconds(10), Duration.ofSeconds(10));
        cluster.step();
        final long big = cluster.submit(0, 8, Duration.ofSeconds(5), Duration.ofSeconds(5));
        final long small = cluster.submit(0, 2, Duration.ofSeconds(4), Duration.ofSeconds(4));
        final long tooLong = cluster.submit(0, 2, Duration.ofSeconds(30), Duration.ofSeconds(30));
        cluster.runFor(60);
        // The big job starts as soon as the first job's time limit ends, although smaller jobs were backfilled.
        assertEquals(cluster.endedAt.get(first), cluster.startedAt.get(big));
        assertTrue(cluster.startedAt.get(small).isBefore(cluster.startedAt.get(big)), "the short job backfilled");
        assertTrue(cluster.startedAt.get(tooLong).isAfter(cluster.startedAt.get(big)), "the long job waited");
    }

    @Test
    void aLowPriorityJobStartsDespiteAStreamOfHigherPriorityWork()
    {
        final Cluster cluster = new Cluster().node("n1", 2);
        cluster.submit(5, 2, Duration.ofSeconds(3), null);
        final long starving = cluster.submit(0, 2, Duration.ofSeconds(3), null);
        for (int i = 0; i < 300 && !cluster.startedAt.containsKey(starving); i++)
        {
            if (i % 3 == 0)
            {
                cluster.submit(5, 2, Duration.ofSeconds(3), null);
            }
            cluster.step();
        }
        assertNotNull(cluster.startedAt.get(starving), "aging lets the low-priority job reach the front");
    }

    @Test
    void jobsOfALostNodeRunAgainElsewhereAndNothingLandsOnTheDownNode()
    {
        final Cluster cluster = new Cluster().node("n1", 4).node("n2", 4);
        final long a = cluster.submit(0, 4, Duration.ofSeconds(100), null);
        final long b = cluster.submit(0, 4, Duration.ofSeconds(100), null);
        cluster.step();
        final String lost = cluster.running.get(a).blocks().get(0).node();
        cluster.loseNode(lost);
        cluster.runFor(1);
        // a's new attempt waits: the surviving node is full with b.
        assertTrue(!cluster.running.containsKey(a));
        cluster.runFor(200);
        assertTrue(cluster.endedAt.containsKey(b));
        assertTrue(cluster.endedAt.containsKey(a) || cluster.running.containsKey(a));
        cluster.running.values().forEach(allocation -> allocation.blocks()
            .forEach(block -> assertTrue(!block.node().equals(lost))));
    }
}

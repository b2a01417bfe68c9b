package io.cohort.head.schedule;

import io.cohort.head.job.JobSpecCodec;
import io.cohort.head.job.Layout;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.NodeState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerTest
{
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final Scheduler scheduler = new Scheduler(new SchedulingPolicy(Duration.ofMinutes(1), 1000));

    private static QueuedJob job(final long id, final int priority, final int ranks, final Duration limit)
    {
        return new QueuedJob(id, priority, T0.plusMillis(id), ranks, Layout.packed(), limit);
    }

    private static List<NodeView> nodes(final int count, final int slots)
    {
        return java.util.stream.IntStream.rangeClosed(1, count)
            .mapToObj(i -> new NodeView("n" + i, NodeState.UP, slots)).toList();
    }

    private static List<Long> started(final Decision decision)
    {
        return decision.starts().stream().map(Decision.Start::jobId).toList();
    }

    @Test
    void startsHigherPriorityFirstThenSubmissionOrder()
    {
        final List<QueuedJob> queue = List.of(job(1, 0, 4, null), job(2, 5, 4, null), job(3, 5, 4, null));
        final Decision decision = scheduler.schedule(queue, nodes(1, 8), List.of(), T0);
        assertEquals(List.of(2L, 3L), started(decision));
        assertEquals(1L, decision.reservation().jobId());
    }

    @Test
    void startsAJobOnlyWhenEveryRankHasASlot()
    {
        final Decision decision = scheduler.schedule(List.of(job(1, 0, 8, null)), nodes(2, 4),
            List.of(new Allocation(9, List.of(new RankBlock("n1", 0, 1)), null)), T0);
        assertEquals(List.of(), started(decision));
        assertEquals(List.of(), decision.tooLarge());
    }

    @Test
    void placesAGangAcrossNodesCoveringEveryRankOnce()
    {
        final Decision decision = scheduler.schedule(List.of(job(1, 0, 6, null)), nodes(2, 4), List.of(), T0);
        final List<RankBlock> placement = decision.starts().get(0).placement();
        assertEquals(List.of(new RankBlock("n1", 0, 4), new RankBlock("n2", 4, 2)), placement);
    }

    @Test
    void neverChoosesDrainingOrDownNodes()
    {
        final List<NodeView> nodes = List.of(new NodeView("a", NodeState.DRAINING, 8),
            new NodeView("b", NodeState.DOWN, 8), new NodeView("c", NodeState.UP, 2));
        final Decision decision = scheduler.schedule(List.of(job(1, 0, 2, null), job(2, 0, 4, null)), nodes,
            List.of(), T0);
        assertEquals(List.of(1L), started(decision));
        assertEquals(List.of(new RankBlock("c", 0, 2)), decision.starts().get(0).placement());
        assertEquals(List.of(2L), decision.tooLarge());
    }

    @Test
    void jobLargerThanTheClusterDoesNotBlockTheQueue()
    {
        final Decision decision = scheduler.schedule(List.of(job(1, 9, 100, null), job(2, 0, 1, null)), nodes(2, 4),
            List.of(), T0);
        assertEquals(List.of(2L), started(decision));
        assertEquals(List.of(1L), decision.tooLarge());
        assertNull(decision.reservation());
    }

    @Test
    void backfillsAShortJobThatEndsBeforeTheReservation()
    {
        // 4 slots, 2 busy until T0+10min; job 1 needs 4 (reserved at +10min); job 2 needs 2 for 5 minutes.
        final List<Allocation> running = List.of(new Allocation(9, List.of(new RankBlock("n1", 0, 2)),
            T0.plus(Duration.ofMinutes(10))));
        final List<QueuedJob> queue = List.of(job(1, 0, 4, Duration.ofHours(1)), job(2, 0, 2, Duration.ofMinutes(5)));
        final Decision decision = scheduler.schedule(queue, nodes(1, 4), running, T0);
        assertEquals(List.of(2L), started(decision));
        assertTrue(decision.starts().get(0).backfilled());
        assertEquals(T0.plus(Duration.ofMinutes(10)), decision.reservation().at());
    }

    @Test
    void doesNotBackfillAJobThatWouldDelayTheReservation()
    {
        final List<Allocation> running = List.of(new Allocation(9, List.of(new RankBlock("n1", 0, 2)),
            T0.plus(Duration.ofMinutes(10))));
        final List<QueuedJob> queue = List.of(job(1, 0, 4, Duration.ofHours(1)), job(2, 0, 2, Duration.ofMinutes(20)),
            job(3, 0, 2, null));
        final Decision decision = scheduler.schedule(queue, nodes(1, 4), running, T0);
        assertEquals(List.of(), started(decision));
    }

    @Test
    void backfillsALongJobIntoSlotsTheReservationDoesNotNeed()
    {
        // n1 is half busy until +10min; job 1 needs two whole 4-slot nodes, so it is reserved on n1 and n2 at +10min
        // and n3's slots stay spare: a job without a time limit may start there, never on n1 or n2.
        final List<Allocation> running = List.of(new Allocation(9, List.of(new RankBlock("n1", 0, 2)),
            T0.plus(Duration.ofMinutes(10))));
        final QueuedJob wide = new QueuedJob(1, 0, T0, 8, Layout.ranksPerNode(4), null);
        final List<QueuedJob> queue = List.of(wide, job(2, 0, 2, null), job(3, 0, 1, null));
        final List<NodeView> nodes = List.of(new NodeView("n1", NodeState.UP, 4), new NodeView("n2", NodeState.UP, 4),
            new NodeView("n3", NodeState.UP, 2));
        final Decision decision = scheduler.schedule(queue, nodes, running, T0);
        assertEquals(List.of(2L), started(decision));
        assertEquals("n3", decision.starts().get(0).placement().get(0).node());
    }

    @Test
    void withoutTimeLimitsBackfillsOnlyWhereTheReservationDoesNotReach()
    {
        final List<Allocation> running = List.of(new Allocation(9, List.of(new RankBlock("n1", 0, 3)), null));
        final List<QueuedJob> queue = List.of(job(1, 0, 4, null), job(2, 0, 1, Duration.ofSeconds(1)));
        final Decision decision = scheduler.schedule(queue, nodes(1, 4), running, T0);
        assertEquals(List.of(), started(decision));
        assertNull(decision.reservation().at());
    }

    @Test
    void agingRaisesAWaitingJobAboveNewerHigherPriorityWork()
    {
        final QueuedJob old = new QueuedJob(1, 0, T0, 4, Layout.packed(), null);
        final QueuedJob fresh = new QueuedJob(2, 10, T0.plus(Duration.ofMinutes(20)), 4, Layout.packed(), null);
        final Instant now = T0.plus(Duration.ofMinutes(20));
        assertEquals(20, scheduler.effectivePriority(old, now));
        assertEquals(List.of(1L), started(scheduler.schedule(List.of(old, fresh), nodes(1, 4), List.of(), now)));
    }

    @Test
    void withTheDefaultPolicyAJobOfTheLowestPriorityInTimeOutranksANewJobOfTheHighest()
    {
        final Scheduler defaults = new Scheduler(SchedulingPolicy.defaults());
        final int max = JobSpecCodec.MAX_PRIORITY;
        final QueuedJob lowest = new QueuedJob(1, -max, T0, 4, Layout.packed(), null);
        final Instant later = T0.plus(Duration.ofMinutes(2L * max + 1));
        final QueuedJob highest = new QueuedJob(2, max, later, 4, Layout.packed(), null);
        assertEquals(List.of(1L), started(defaults.schedule(List.of(highest, lowest), nodes(1, 4), List.of(), later)));
    }

    @Test
    void ranksPerNodePutsExactlyThatManyOnEachNode()
    {
        final QueuedJob job = new QueuedJob(1, 0, T0, 4, Layout.ranksPerNode(2), null);
        final Decision decision = scheduler.schedule(List.of(job), nodes(3, 4), List.of(), T0);
        assertEquals(List.of(new RankBlock("n1", 0, 2), new RankBlock("n2", 2, 2)),
            decision.starts().get(0).placement());
    }

    @Test
    void nodesLayoutSpreadsEvenlyOverDistinctNodes()
    {
        final QueuedJob job = new QueuedJob(1, 0, T0, 5, Layout.nodes(3), null);
        final Decision decision = scheduler.schedule(List.of(job), nodes(3, 4), List.of(), T0);
        assertEquals(List.of(new RankBlock("n1", 0, 2), new RankBlock("n2", 2, 2), new RankBlock("n3", 4, 1)),
            decision.starts().get(0).placement());
    }

    @Test
    void packedJobFillsOneNodeWhenOneCanHoldIt()
    {
        final List<Allocation> running = List.of(new Allocation(9, List.of(new RankBlock("n1", 0, 2)), null));
        final Decision decision = scheduler.schedule(List.of(job(1, 0, 2, null)), nodes(2, 4), running, T0);
        assertEquals(List.of(new RankBlock("n1", 0, 2)), decision.starts().get(0).placement());
    }

    @Test
    void sameInputsGiveTheSameDecision()
    {
        final List<QueuedJob> queue = List.of(job(1, 0, 3, null), job(2, 1, 5, null), job(3, 0, 2, null));
        assertEquals(scheduler.schedule(queue, nodes(3, 4), List.of(), T0),
            scheduler.schedule(queue, nodes(3, 4), List.of(), T0));
    }
}

package io.cohort.head.schedule;

import io.cohort.head.job.RankBlock;
import io.cohort.head.node.NodeState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scheduling decision as a pure function of (queue, nodes, running allocations, time): no clock, no I/O, no
 * state between calls, so every decision can be replayed in a test.
 *
 * <p>Order: effective priority (the job's priority plus one point per {@link SchedulingPolicy#agingStep()} waited,
 * up to the cap), then submission time, then id. Gang start: a job starts only with every rank placed
 * ({@link Placer}). EASY backfill (Lifka, "The ANL/IBM SP scheduling system", 1995; the algorithm of Slurm's and
 * Maui's backfill): the first job in line that cannot start gets a reservation at the earliest time running jobs'
 * time limits free enough slots; a later job may start now only if it fits in the free slots and either its time
 * limit ends before that time, or it uses only slots the reservation does not need. Only UP nodes are chosen.
 *
 * <pre>{@code
 * Decision d = new Scheduler(SchedulingPolicy.defaults()).schedule(queue, nodes, running, Instant.now());
 * d.starts().forEach(start -> launch(start.jobId(), start.placement()));
 * }</pre>
 *
 * Thread-safe (immutable).
 */
public final class Scheduler
{
    private final SchedulingPolicy policy;

    /**
     * A scheduler with these tunables.
     *
     * @param policy aging
     */
    public Scheduler(final SchedulingPolicy policy)
    {
        this.policy = policy;
    }

    /**
     * A job's priority after aging.
     *
     * @param job the job
     * @param now the time of the pass
     * @return its priority plus the aging bonus
     */
    public long effectivePriority(final QueuedJob job, final Instant now)
    {
        final Duration waited = Duration.between(job.submittedAt(), now);
        final long steps = waited.isNegative() ? 0 : waited.dividedBy(policy.agingStep());
        return job.priority() + Math.min(policy.agingCap(), steps);
    }

    /**
     * The queue in the order the scheduler considers it.
     *
     * @param queue jobs that may start
     * @param now   the time of the pass
     * @return the queue sorted by effective priority, then submission, then id
     */
    public List<QueuedJob> order(final List<QueuedJob> queue, final Instant now)
    {
        final List<QueuedJob> ordered = new ArrayList<>(queue);
        ordered.sort(Comparator.comparingLong((QueuedJob job) -> -effectivePriority(job, now))
            .thenComparing(QueuedJob::submittedAt).thenComparingLong(QueuedJob::id));
        return ordered;
    }

    /**
     * Decides which jobs start now and where.
     *
     * @param queue   the jobs that may start (not held, not in backoff, dependencies met)
     * @param nodes   every known node
     * @param running the slots held by running or stopping attempts
     * @param now     the time of the pass
     * @return the decision
     */
    public Decision schedule(final List<QueuedJob> queue, final List<NodeView> nodes, final List<Allocation> running,
        final Instant now)
    {
        final Map<String, Integer> capacity = new TreeMap<>();
        for (final NodeView node : nodes)
        {
            if (node.state() == NodeState.UP && node.slots() > 0)
            {
                capacity.put(node.name(), node.slots());
            }
        }
        final Map<String, Integer> free = new TreeMap<>(capacity);
        for (final Allocation allocation : running)
        {
            take(free, allocation.blocks());
        }
        final List<Decision.Start> starts = new ArrayList<>();
        final List<Long> tooLarge = new ArrayList<>();
        Decision.Reservation reservation = null;
        Map<String, Integer> spare = null;
        for (final QueuedJob job : order(queue, now))
        {
            if (Placer.place(job.ranks(), job.layout(), capacity) == null)
            {
                tooLarge.add(job.id());
                continue;
            }
            final List<RankBlock> now0 = Placer.place(job.ranks(), job.layout(), free);
            if (reservation == null)
            {
                if (now0 != null)
                {
                    take(free, now0);
                    starts.add(new Decision.Start(job.id(), now0, false));
                    continue;
                }
                reservation = reserve(job, free, capacity, running, now);
                spare = spareAt(reservation, free, capacity, running);
                continue;
            }
            if (now0 == null)
            {
                continue;
            }
            final boolean endsInTime = reservation.at() != null && job.timeLimit() != null
                && !now.plus(job.timeLimit()).isAfter(reservation.at());
            if (endsInTime)
            {
                take(free, now0);
                starts.add(new Decision.Start(job.id(), now0, true));
                continue;
            }
            final List<RankBlock> inSpare = Placer.place(job.ranks(), job.layout(), smaller(free, spare));
            if (inSpare != null)
            {
                take(free, inSpare);
                take(spare, inSpare);
                starts.add(new Decision.Start(job.id(), inSpare, true));
            }
        }
        return new Decision(starts, reservation, tooLarge);
    }

    /**
     * The earliest time and place the job fits as running jobs end at their time limits; if it never fits that way
     * (some running job has no time limit), the place it would take once everything ended, at an unknown time.
     */
    private static Decision.Reservation reserve(final QueuedJob job, final Map<String, Integer> free,
        final Map<String, Integer> capacity, final List<Allocation> running, final Instant now)
    {
        final List<Allocation> bounded = new ArrayList<>();
        for (final Allocation allocation : running)
        {
            if (allocation.expectedEnd() != null)
            {
                bounded.add(allocation);
            }
        }
        bounded.sort(Comparator.comparing(Allocation::expectedEnd));
        final Map<String, Integer> later = new TreeMap<>(free);
        for (int i = 0; i < bounded.size(); i++)
        {
            final Instant end = bounded.get(i).expectedEnd();
            give(later, bounded.get(i).blocks(), capacity);
            if (i + 1 < bounded.size() && bounded.get(i + 1).expectedEnd().equals(end))
            {
                continue;
            }
            final List<RankBlock> placement = Placer.place(job.ranks(), job.layout(), later);
            if (placement != null)
            {
                return new Decision.Reservation(job.id(), end.isBefore(now) ? now : end, placement);
            }
        }
        return new Decision.Reservation(job.id(), null, Placer.place(job.ranks(), job.layout(), capacity));
    }

    /**
     * Slots free at the reservation's time that the reservation does not use: what a job running past that time
     * may take without delaying it.
     */
    private static Map<String, Integer> spareAt(final Decision.Reservation reservation,
        final Map<String, Integer> free, final Map<String, Integer> capacity, final List<Allocation> running)
    {
        if (reservation.at() == null)
        {
            // The reservation was placed on the whole cluster, as if everything running had ended.
            final Map<String, Integer> at = new TreeMap<>(capacity);
            take(at, reservation.placement());
            return at;
        }
        final Map<String, Integer> at = new TreeMap<>(free);
        for (final Allocation allocation : running)
        {
            if (allocation.expectedEnd() != null && !allocation.expectedEnd().isAfter(reservation.at()))
            {
                give(at, allocation.blocks(), capacity);
            }
        }
        take(at, reservation.placement());
        return at;
    }

    private static Map<String, Integer> smaller(final Map<String, Integer> a, final Map<String, Integer> b)
    {
        final Map<String, Integer> min = new HashMap<>();
        for (final Map.Entry<String, Integer> entry : a.entrySet())
        {
            min.put(entry.getKey(), Math.min(entry.getValue(), b.getOrDefault(entry.getKey(), 0)));
        }
        return min;
    }

    private static void take(final Map<String, Integer> slots, final List<RankBlock> blocks)
    {
        for (final RankBlock block : blocks)
        {
            slots.computeIfPresent(block.node(), (node, count) -> count - block.count());
        }
    }

    private static void give(final Map<String, Integer> slots, final List<RankBlock> blocks,
        final Map<String, Integer> capacity)
    {
        for (final RankBlock block : blocks)
        {
            if (capacity.containsKey(block.node()))
            {
                slots.merge(block.node(), block.count(), Integer::sum);
            }
        }
    }
}

package io.cohort.head.schedule;

import io.cohort.head.job.Layout;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.NodeState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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
    private static final long NANOS = 1_000_000_000L;

    private final SchedulingPolicy policy;
    private final long stepNanos;

    /**
     * A scheduler with these tunables.
     *
     * @param policy aging
     */
    public Scheduler(final SchedulingPolicy policy)
    {
        this.policy = policy;
        this.stepNanos = policy.agingStep().toNanos();
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
        // Whole nanoseconds, as Duration.between(...).dividedBy(step) counts, without its objects (once per job
        // and pass).
        final long waited = (now.getEpochSecond() - job.submittedAt().getEpochSecond()) * NANOS
            + now.getNano() - job.submittedAt().getNano();
        final long steps = waited < 0 ? 0 : waited / stepNanos;
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
        final List<Ranked> ranked = rank(queue, now);
        ranked.sort(null);
        final List<QueuedJob> ordered = new ArrayList<>(ranked.size());
        for (final Ranked entry : ranked)
        {
            ordered.add(entry.job());
        }
        return ordered;
    }

    /** Each job with its effective priority, computed once per pass rather than once per comparison. */
    private List<Ranked> rank(final List<QueuedJob> queue, final Instant now)
    {
        final List<Ranked> ranked = new ArrayList<>(queue.size());
        for (final QueuedJob job : queue)
        {
            ranked.add(new Ranked(effectivePriority(job, now), job));
        }
        return ranked;
    }

    /** A job and its place in line: higher effective priority first, then earlier submission, then lower id. */
    private record Ranked(long priority, QueuedJob job) implements Comparable<Ranked>
    {
        @Override
        public int compareTo(final Ranked other)
        {
            if (priority != other.priority)
            {
                return priority > other.priority ? -1 : 1;
            }
            final int submitted = job.submittedAt().compareTo(other.job.submittedAt());
            return submitted != 0 ? submitted : Long.compare(job.id(), other.job.id());
        }
    }

    /** The ranks and layout of a job: all the "does it fit the whole cluster" question depends on. */
    private record Shape(int ranks, Layout layout)
    {
    }

    /**
     * Whether a job could run on the whole cluster, asked of the placer once per shape in a pass; a queue is mostly
     * runs of one shape, so the last answer is checked first, by fields.
     */
    private static final class FitsCluster
    {
        private final Map<String, Integer> capacity;
        private final Map<Shape, Boolean> known = new HashMap<>();
        private int lastRanks = -1;
        private Layout.Kind lastKind;
        private int lastCount;
        private boolean lastFits;

        FitsCluster(final Map<String, Integer> capacity)
        {
            this.capacity = capacity;
        }

        boolean test(final QueuedJob job)
        {
            final Layout layout = job.layout();
            if (job.ranks() != lastRanks || layout.kind() != lastKind || layout.count() != lastCount)
            {
                lastFits = known.computeIfAbsent(new Shape(job.ranks(), layout),
                    shape -> Placer.place(shape.ranks(), shape.layout(), capacity) != null);
                lastRanks = job.ranks();
                lastKind = layout.kind();
                lastCount = layout.count();
            }
            return lastFits;
        }
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
        int freeTotal = total(free);
        final List<Decision.Start> starts = new ArrayList<>();
        final List<Long> tooLarge = new ArrayList<>();
        final FitsCluster fitsCluster = new FitsCluster(capacity);
        Decision.Reservation reservation = null;
        Map<String, Integer> spare = null;
        // A heap rather than a sorted list: a pass usually starts a few jobs from a long queue, so only the head of
        // the line is taken in order; once no slot is free and the reservation is made, nothing else can start.
        final PriorityQueue<Ranked> line = new PriorityQueue<>(rank(queue, now));
        while (!line.isEmpty() && (freeTotal > 0 || reservation == null))
        {
            final QueuedJob job = line.poll().job();
            if (!fitsCluster.test(job))
            {
                tooLarge.add(job.id());
                continue;
            }
            // Fewer free slots than ranks: no placement can exist, so the placer is not asked.
            final List<RankBlock> now0 = freeTotal < job.ranks() ? null
                : Placer.place(job.ranks(), job.layout(), free);
            if (reservation == null)
            {
                if (now0 != null)
                {
                    take(free, now0);
                    freeTotal = total(free);
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
                freeTotal = total(free);
                starts.add(new Decision.Start(job.id(), now0, true));
                continue;
            }
            final List<RankBlock> inSpare = Placer.place(job.ranks(), job.layout(), smaller(free, spare));
            if (inSpare != null)
            {
                take(free, inSpare);
                take(spare, inSpare);
                freeTotal = total(free);
                starts.add(new Decision.Start(job.id(), inSpare, true));
            }
        }
        // The rest of the line waits; of it, only the jobs that could not fit even an empty cluster are reported.
        final List<Ranked> rest = new ArrayList<>();
        for (final Ranked entry : line)
        {
            final QueuedJob job = entry.job();
            if (!fitsCluster.test(job))
            {
                rest.add(entry);
            }
        }
        rest.sort(null);
        for (final Ranked entry : rest)
        {
            tooLarge.add(entry.job().id());
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

    private static int total(final Map<String, Integer> slots)
    {
        int total = 0;
        for (final int count : slots.values())
        {
            total += Math.max(0, count);
        }
        return total;
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

package io.cohort.head.service;

import io.cohort.head.job.Attempt;
import io.cohort.head.job.Dependency;
import io.cohort.head.job.Job;
import io.cohort.head.job.JobSpec;
import io.cohort.head.job.JobState;
import io.cohort.head.job.Progress;
import io.cohort.head.job.RankBlock;
import io.cohort.head.job.SpecException;
import io.cohort.head.node.AgentEvents;
import io.cohort.head.node.AgentLink;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.KillSignal;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.node.NodeRegistry;
import io.cohort.head.node.NodeStatus;
import io.cohort.head.schedule.Allocation;
import io.cohort.head.schedule.Decision;
import io.cohort.head.schedule.NodeView;
import io.cohort.head.schedule.Placer;
import io.cohort.head.schedule.QueuedJob;
import io.cohort.head.schedule.Scheduler;
import io.cohort.head.store.Event;
import io.cohort.head.store.JobQuery;
import io.cohort.head.store.JobStore;
import io.cohort.head.store.OutputStore;
import io.cohort.head.store.PackageStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The head node: takes jobs, keeps them durable, schedules them onto nodes through the {@link AgentLink}, and acts on
 * what the agents report ({@link AgentEvents}): attempts start, ranks exit, nodes die. It retries, requeues and
 * dead-letters by each job's policy, stops attempts at their time limit or on cancel (SIGTERM, then SIGKILL after
 * the grace period), holds jobs until their dependencies end, and after a restart reconciles the attempts it had
 * running with what the agents say they still run.
 *
 * <pre>{@code
 * HeadNode head = new HeadNode(HeadConfig.defaults(), store, packages, output, link, InstantSource.system());
 * head.start();                          // recovers, then schedules on a virtual thread
 * Job job = head.submit("alice", spec);  // durable when it returns
 * }</pre>
 *
 * Thread-safe: one lock guards the live state; callbacks from agents may come from any thread. Tests drive it
 * without the background thread by calling {@link #recover()} and {@link #tick()} with their own clock.
 */
public final class HeadNode implements AgentEvents, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.cohort.head");
    private static final long PASS_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a job whose node had no room waits before it may start again. */
    private static final java.time.Duration NODE_BUSY_PAUSE = java.time.Duration.ofSeconds(2);
    /** The least time between two stored progress reports of one job (ranks already send at most 5 a second). */
    private static final long PROGRESS_INTERVAL_MILLIS = 250;

    private final HeadConfig config;
    private final JobStore store;
    private final PackageStore packages;
    private final OutputStore output;
    private final AgentLink link;
    private final InstantSource clock;
    private final NodeRegistry registry;
    private final Scheduler scheduler;
    private final Map<Long, Job> live = new TreeMap<>();
    private final Map<Long, Instant> queuedAt = new HashMap<>();
    private final Map<Long, AttemptRun> active = new HashMap<>();
    private final Map<Long, String> waiting = new HashMap<>();
    /** For each PENDING job, the number of scheduling passes run before it became PENDING. */
    private final Map<Long, Long> pendingSince = new HashMap<>();
    /** State changes made in memory and not yet committed, oldest first. */
    private final List<JobStore.Transition> unwritten = new ArrayList<>();
    private volatile boolean dirty;
    private long passes;
    private final java.util.concurrent.ConcurrentLinkedQueue<Job> arrivals =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Semaphore wake = new Semaphore(0);
    private Instant reconcileBy;
    /** Progress reports, written at most every PROGRESS_INTERVAL per job, off the agents' and scheduler's threads. */
    private final ProgressCoalescer<Reported> progress;
    private Thread loop;
    private volatile boolean closed;

    /**
     * A head node over its stores and the agent link.
     *
     * @param config   tunables
     * @param store    the durable store
     * @param packages the package store
     * @param output   rank output
     * @param link     the way to the agents
     * @param clock    the time source
     */
    public HeadNode(final HeadConfig config, final JobStore store, final PackageStore packages,
        final OutputStore output, final AgentLink link, final InstantSource clock)
    {
        this.config = config;
        this.store = store;
        this.packages = packages;
        this.output = output;
        this.link = link;
        this.clock = clock;
        this.registry = new NodeRegistry(store, config.heartbeatTimeout());
        this.scheduler = new Scheduler(config.scheduling());
        this.progress = new ProgressCoalescer<>(PROGRESS_INTERVAL_MILLIS, this::storeProgress);
    }

    /** A progress report and the attempt whose rank 0 made it. */
    private record Reported(int attempt, Progress progress)
    {
    }

    /**
     * The tunables this head node runs with.
     *
     * @return its configuration
     */
    public HeadConfig config()
    {
        return config;
    }

    /** Recovers from the store, then schedules on a virtual thread until {@link #close()}. */
    public void start()
    {
        recover();
        loop = Thread.ofVirtual().name("cohort-head-scheduler").start(this::run);
    }

    private void run()
    {
        long lastPass = 0;
        long lastPassNanos = 0;
        final Duration collectEvery = packageCollectionInterval();
        long nextCollection = System.nanoTime();
        while (!closed)
        {
            try
            {
                wake.tryAcquire(config.tickInterval().toMillis(), TimeUnit.MILLISECONDS);
                // Passes at most every PASS_GAP, or twice as long as the last pass took: what happens meanwhile
                // (exits, starts, arrivals) is handled by one pass and committed in one transaction, and a long queue
                // never lets scheduling take more than a third of a core from the API and the agents' links.
                final long gap = lastPass + Math.max(PASS_GAP_NANOS, 2 * lastPassNanos) - System.nanoTime();
                if (gap > 0)
                {
                    Thread.sleep(gap / 1_000_000, (int)(gap % 1_000_000));
                }
                wake.drainPermits();
                lastPass = System.nanoTime();
                if (!closed)
                {
                    tick();
                }
                lastPassNanos = System.nanoTime() - lastPass;
                if (collectEvery != null && !closed && System.nanoTime() - nextCollection >= 0)
                {
                    nextCollection = System.nanoTime() + collectEvery.toNanos();
                    collectUnusedPackages();
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "scheduling pass failed; trying again", ex);
            }
        }
    }

    private void wake()
    {
        wake.release();
    }

    private void wakeIfDirty()
    {
        if (dirty)
        {
            wake();
        }
    }

    /**
     * Loads every live job from the store. Attempts that were STARTING or RUNNING when the head node stopped are
     * kept as they were (nothing is restarted) until the agents report: an attempt a node still runs carries on, one
     * no node reports within the reconcile grace is counted lost with its node.
     */
    public synchronized void recover()
    {
        flush();
        final Instant now = clock.instant();
        live.clear();
        active.clear();
        pendingSince.clear();
        for (final JobStore.QueuedEntry entry : store.live())
        {
            final Job job = entry.job();
            live.put(job.id(), job);
            if (job.state() instanceof JobState.Pending)
            {
                pendingSince.put(job.id(), passes);
            }
            queuedAt.put(job.id(), entry.queuedAt());
            if (job.state() instanceof JobState.Starting || job.state() instanceof JobState.Running)
            {
                final List<Attempt> attempts = store.attempts(job.id());
                final Attempt last = attempts.get(attempts.size() - 1);
                final AttemptRun run = new AttemptRun(job.id(), last.number(), last.placement(), last.startedAt(),
                    deadline(job.spec(), last.startedAt()));
                if (job.state() instanceof JobState.Running)
                {
                    run.notStarted.clear();
                }
                run.unconfirmed.addAll(run.nodes());
                store.stopRequest(job.id(), last.number()).ifPresent(request ->
                {
                    // Acknowledged before the restart: the ranks are stopped again once their nodes report them.
                    run.end(AttemptRun.Ending.valueOf(request.ending()), request.reason(), null);
                    run.stopRestored = true;
                });
                active.put(job.id(), run);
            }
        }
        reconcileBy = active.isEmpty() ? null : now.plus(config.reconcileGrace());
        LOG.log(System.Logger.Level.INFO, "recovered " + live.size() + " live jobs, " + active.size()
            + " with attempts to reconcile");
    }

    /**
     * Validates and stores a job; durable when this returns.
     *
     * @param owner the submitting user
     * @param spec  the spec
     * @return the stored job with its id
     * @throws SpecException if the package is missing, a dependency does not exist, or the layout cannot fit the
     *                       cluster even when empty
     */
    public Job submit(final String owner, final JobSpec spec) throws SpecException
    {
        if (spec.packageHash() != null && !packages.claim(spec.packageHash()))
        {
            throw new SpecException("package", "no package " + spec.packageHash() + " on this head node; upload "
                + "the jar or zip first (PUT /api/v1/packages, or cohort submit does it for you)");
        }
        for (final Dependency dependency : spec.dependencies())
        {
            if (store.job(dependency.jobId()).isEmpty())
            {
                throw new SpecException("dependencies", "no job " + dependency.jobId() + " to depend on");
            }
        }
        checkFits(spec);
        // Stored without the head node's lock, so submissions share commits and never wait for a scheduling pass;
        // the job joins the live state at the next locked operation.
        final Job job = store.submit(owner, spec, clock.instant());
        arrivals.add(job);
        wake();
        return job;
    }

    private void checkFits(final JobSpec spec) throws SpecException
    {
        final Map<String, Integer> capacity = new TreeMap<>();
        int total = 0;
        for (final NodeStatus node : registry.all())
        {
            capacity.put(node.name(), node.capacity().slots());
            total += node.capacity().slots();
        }
        if (Placer.place(spec.ranks(), spec.layout(), capacity) != null)
        {
            return;
        }
        final String cluster = "the cluster has " + total + " slots on " + capacity.size() + " nodes"
            + (capacity.isEmpty() ? " (no node has joined yet: start agents with cohort node start)" : " (largest "
            + capacity.values().stream().mapToInt(Integer::intValue).max().orElse(0) + ")");
        if (spec.ranks() > total)
        {
            throw new SpecException("ranks", spec.ranks() + " ranks can never run: " + cluster);
        }
        throw new SpecException("layout", "ranks " + spec.ranks() + " with layout " + spec.layout().kind()
            + (spec.layout().count() > 0 ? " " + spec.layout().count() : "") + " can never be placed: " + cluster);
    }

    /**
     * One job.
     *
     * @param id the job id
     * @return the job, or empty
     */
    public Optional<Job> job(final long id)
    {
        written();
        return store.job(id);
    }

    /**
     * A page of jobs.
     *
     * @param query filter and page
     * @return the jobs
     */
    public List<Job> jobs(final JobQuery query)
    {
        written();
        return store.jobs(query);
    }

    /**
     * A job's attempts.
     *
     * @param id the job id
     * @return its attempts
     */
    public List<Attempt> attempts(final long id)
    {
        written();
        return store.attempts(id);
    }

    /**
     * Why a pending job waits, as of the last scheduling pass.
     *
     * @param id the job id
     * @return the reason, or null
     */
    public synchronized String waitingReason(final long id)
    {
        final String reason = waiting.get(id);
        if (reason != null)
        {
            return reason;
        }
        // Only jobs with another reason are listed: every other job in the last pass's queue waits for slots.
        final Long since = pendingSince.get(id);
        return since != null && since < passes ? "waiting for free slots" : null;
    }

    /**
     * A job's webhook deliveries.
     *
     * @param id the job id
     * @return its deliveries in event order
     */
    public List<io.cohort.head.store.Delivery> deliveries(final long id)
    {
        return store.deliveries(id);
    }

    /**
     * The durable store (for the webhook dispatcher, which follows its event log).
     *
     * @return the store
     */
    public JobStore store()
    {
        return store;
    }

    /**
     * The jobs that wait, in the order the scheduler considers them now: first the PENDING jobs it may start, by
     * effective priority (with aging), then time queued, then id ({@link Scheduler#order}); then the jobs that may
     * not start yet (retry backoff, unmet dependencies) and the HELD ones, in the same order among themselves.
     *
     * @return the waiting jobs in scheduling order
     */
    public synchronized QueueOrder queueOrder()
    {
        absorbArrivals();
        final Instant now = clock.instant();
        final List<QueuedJob> ready = new ArrayList<>();
        final List<QueuedJob> later = new ArrayList<>();
        // A copy: looking at dependencies may flush, which must not move the map under this loop.
        for (final Job job : List.copyOf(live.values()))
        {
            if (job.state() instanceof JobState.Pending pending)
            {
                final boolean mayStart = (pending.notBefore() == null || !now.isBefore(pending.notBefore()))
                    && (job.spec().dependencies().isEmpty() || "".equals(dependencies(job)));
                (mayStart ? ready : later).add(queued(job));
            }
            else if (job.state() instanceof JobState.Held)
            {
                later.add(queued(job));
            }
        }
        final List<Job> jobs = new ArrayList<>(ready.size() + later.size());
        for (final QueuedJob job : scheduler.order(ready, now))
        {
            jobs.add(live.get(job.id()));
        }
        for (final QueuedJob job : scheduler.order(later, now))
        {
            jobs.add(live.get(job.id()));
        }
        return new QueueOrder(jobs, ready.size());
    }

    /** A live job as the scheduler sees it. */
    private QueuedJob queued(final Job job)
    {
        return new QueuedJob(job.id(), job.spec().priority(), queuedAt.getOrDefault(job.id(), job.submittedAt()),
            job.spec().ranks(), job.spec().layout(), job.spec().timeLimit());
    }

    /**
     * Events after a sequence number.
     *
     * @param afterSeq last seen
     * @param jobId    one job, or null
     * @param limit    most to return
     * @return events in order
     */
    public List<Event> events(final long afterSeq, final Long jobId, final int limit)
    {
        return events(afterSeq, jobId, null, limit);
    }

    /**
     * Events after a sequence number, of one job, or of one user's jobs and the nodes.
     *
     * @param afterSeq last seen
     * @param jobId    one job, or null
     * @param owner    only this user's jobs' events and node events, or null for all
     * @param limit    most to return
     * @return events in order
     */
    public List<Event> events(final long afterSeq, final Long jobId, final String owner, final int limit)
    {
        written();
        return store.events(afterSeq, jobId, owner, limit);
    }

    /**
     * Every node with the slots in use on it.
     *
     * @return nodes and used slots
     */
    public synchronized Map<NodeStatus, Integer> nodes()
    {
        final Map<String, Integer> used = usedSlots();
        final Map<NodeStatus, Integer> nodes = new java.util.LinkedHashMap<>();
        for (final NodeStatus node : registry.all())
        {
            nodes.put(node, used.getOrDefault(node.name(), 0));
        }
        return nodes;
    }

    /**
     * Drains or resumes a node.
     *
     * @param name    the node
     * @param drained true to drain
     * @return the node's new status
     * @throws RequestException if there is no such node
     */
    public NodeStatus setDrained(final String name, final boolean drained) throws RequestException
    {
        if (!registry.setDrained(name, drained, clock.instant()))
        {
            throw new RequestException(RequestException.Kind.NOT_FOUND, "no node '" + name + "'; cohort nodes lists "
                + "them");
        }
        wake();
        return registry.node(name).orElseThrow();
    }

    /**
     * Reads a rank's output.
     *
     * @param jobId    the job
     * @param attempt  the attempt
     * @param rank     the rank
     * @param offset   where to start
     * @param maxBytes the most to read
     * @return the bytes and the next offset
     * @throws IOException if reading fails
     */
    public OutputStore.Chunk output(final long jobId, final int attempt, final int rank, final long offset,
        final int maxBytes) throws IOException
    {
        return output.read(jobId, attempt, rank, offset, maxBytes);
    }

    /**
     * Cancels a job: a waiting job at once, a running one by SIGTERM, then SIGKILL after the grace period (it is
     * CANCELLED when its ranks are gone).
     *
     * @param id the job
     * @param by who asks
     * @return the job as it is now
     * @throws RequestException if there is no such job or it has ended
     */
    public synchronized Job cancel(final long id, final String by) throws RequestException
    {
        final Job job = liveJob(id, "cancelled");
        final Instant now = clock.instant();
        final AttemptRun run = active.get(id);
        if (run != null)
        {
            run.end(AttemptRun.Ending.CANCEL, "cancelled by " + by, null);
            storeStopRequest(run);
            stop(run, now);
            flush();
            return job;
        }
        final Job cancelled = move(job, new JobState.Cancelled("cancelled by " + by), now, null, false);
        flush();
        return cancelled;
    }

    /**
     * Holds a pending job.
     *
     * @param id the job
     * @param by who asks
     * @return the job, HELD
     * @throws RequestException if there is no such job or it is not PENDING
     */
    public synchronized Job hold(final long id, final String by) throws RequestException
    {
        final Job job = liveJob(id, "held");
        if (!(job.state() instanceof JobState.Pending))
        {
            throw new RequestException(RequestException.Kind.CONFLICT, "job " + id + " is " + job.state().name()
                + "; only a PENDING job can be held");
        }
        final Job held = move(job, new JobState.Held("held by " + by), clock.instant(), null, false);
        flush();
        return held;
    }

    /**
     * Releases a held job.
     *
     * @param id the job
     * @param by who asks
     * @return the job, PENDING
     * @throws RequestException if there is no such job or it is not HELD
     */
    public synchronized Job release(final long id, final String by) throws RequestException
    {
        final Job job = liveJob(id, "released");
        if (!(job.state() instanceof JobState.Held))
        {
            throw new RequestException(RequestException.Kind.CONFLICT, "job " + id + " is " + job.state().name()
                + "; only a HELD job can be released");
        }
        final Job released = move(job, new JobState.Pending(null, "released by " + by), clock.instant(), null, false);
        flush();
        wake();
        return released;
    }

    /**
     * Requeues a job: an ended job becomes PENDING with a fresh retry budget; a running one is stopped (SIGTERM,
     * then SIGKILL) and then waits again as a new attempt.
     *
     * @param id the job
     * @param by who asks
     * @return the job as it is now
     * @throws RequestException if there is no such job or it is already waiting
     */
    public synchronized Job requeue(final long id, final String by) throws RequestException
    {
        absorbArrivals();
        final Instant now = clock.instant();
        final AttemptRun run = active.get(id);
        if (run != null)
        {
            run.end(AttemptRun.Ending.REQUEUE, "requeued by " + by, null);
            storeStopRequest(run);
            stop(run, now);
            flush();
            return live.get(id);
        }
        flush();
        final Job job = store.job(id).orElseThrow(() -> new RequestException(RequestException.Kind.NOT_FOUND,
            "no job " + id));
        if (!job.state().terminal())
        {
            throw new RequestException(RequestException.Kind.CONFLICT, "job " + id + " is " + job.state().name()
                + " and waits already; requeue applies to running and ended jobs");
        }
        final String pkg = job.spec().packageHash();
        if (pkg != null && !packages.claim(pkg))
        {
            throw new RequestException(RequestException.Kind.CONFLICT, "job " + id + " needs package " + pkg + ", "
                + (config.packageRetention() == null ? "which is no longer on this head node"
                    : "which was removed after " + retentionText() + " unused")
                + "; upload the same jar or zip again (PUT /api/v1/packages gives it the same name back), then "
                + "requeue");
        }
        queuedAt.put(id, now);
        final Job again = move(job, new JobState.Pending(null, "requeued by " + by), now, null, true);
        flush();
        wake();
        return again;
    }

    private String retentionText()
    {
        final Duration retention = config.packageRetention();
        return retention.toDays() >= 1 && retention.toHours() % 24 == 0 ? retention.toDays() + " day(s)"
            : retention.toMinutes() + " minutes";
    }

    /**
     * Removes the uploaded packages that no job may still need (none that is waiting or running names them, none
     * that ended within the retention period does) and that were not uploaded or named within the retention period.
     * The scheduler thread does this every {@link #packageCollectionInterval()}; nothing happens when packages are
     * kept for ever.
     *
     * @return what was removed
     */
    public List<PackageStore.Removed> collectUnusedPackages()
    {
        final Duration retention = config.packageRetention();
        if (retention == null)
        {
            return List.of();
        }
        // In use is read first: a job submitted or requeued after this query claimed its package, which is then
        // too recent for the collection to remove.
        final Set<String> inUse = store.packagesInUse(clock.instant().minus(retention));
        try
        {
            final List<PackageStore.Removed> removed = packages.collect(inUse, retention);
            if (!removed.isEmpty())
            {
                LOG.log(System.Logger.Level.INFO, "removed " + removed.size() + " package(s) unused for "
                    + retentionText() + " (" + removed.stream().mapToLong(PackageStore.Removed::bytes).sum()
                    + " bytes): " + removed.stream().map(PackageStore.Removed::hash).toList());
            }
            return removed;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot remove unused packages; trying again later", ex);
            return List.of();
        }
    }

    /**
     * How often the scheduler thread collects unused packages: a quarter of the retention, at most hourly.
     *
     * @return the interval, or null when packages are kept for ever
     */
    Duration packageCollectionInterval()
    {
        final Duration retention = config.packageRetention();
        if (retention == null)
        {
            return null;
        }
        final Duration quarter = retention.dividedBy(4);
        return quarter.compareTo(Duration.ofHours(1)) < 0 ? quarter : Duration.ofHours(1);
    }

    /**
     * One scheduling pass: node timeouts, reconciliation deadline, start timeouts, time limits, kills, dependencies,
     * starts.
     */
    public synchronized void tick()
    {
        absorbArrivals();
        final Instant now = clock.instant();
        for (final String node : registry.sweep(now))
        {
            nodeDown(node, "no heartbeat for " + config.heartbeatTimeout().toSeconds() + " s", now);
        }
        if (reconcileBy != null && !now.isBefore(reconcileBy))
        {
            reconcileBy = null;
            for (final AttemptRun run : List.copyOf(active.values()))
            {
                for (final String node : List.copyOf(run.unconfirmed))
                {
                    loseRanks(run, node, "node " + node + " did not report attempt " + run.number
                        + " after the head node restarted", now);
                }
            }
        }
        for (final AttemptRun run : List.copyOf(active.values()))
        {
            if (run.deadline != null && !now.isBefore(run.deadline)
                && run.end(AttemptRun.Ending.TIMEOUT, "time limit of "
                    + live.get(run.jobId).spec().timeLimit().toSeconds() + " s reached", null))
            {
                stop(run, now);
            }
            if (!run.notStarted.isEmpty() && run.unconfirmed.isEmpty()
                && !now.isBefore(run.startedAt.plus(config.startTimeout())))
            {
                final List<String> silent = List.copyOf(run.notStarted);
                for (final String node : silent)
                {
                    // The confirmation may have been lost rather than the launch: make sure nothing of it runs.
                    link.kill(node, run.jobId, run.number, KillSignal.KILL);
                    run.forgetRanksOn(node);
                }
                run.end(AttemptRun.Ending.LAUNCH_FAILED, "launch failed: " + silent + " did not start the ranks "
                    + "within " + config.startTimeout().toSeconds() + " s", -1);
                stop(run, now);
            }
            if (run.killAt != null && !run.killSent && !now.isBefore(run.killAt))
            {
                run.killSent = true;
                for (final String node : run.nodesWithLiveRanks())
                {
                    link.kill(node, run.jobId, run.number, KillSignal.KILL);
                }
            }
        }
        schedule(now);
        flush();
    }

    private void schedule(final Instant now)
    {
        passes++;
        waiting.clear();
        final List<QueuedJob> queue = new ArrayList<>(live.size());
        final List<Job> neverMet = new ArrayList<>();
        for (final Job job : live.values())
        {
            if (!(job.state() instanceof JobState.Pending pending))
            {
                continue;
            }
            if (pending.notBefore() != null && now.isBefore(pending.notBefore()))
            {
                waiting.put(job.id(), "retry backoff until " + pending.notBefore());
                continue;
            }
            if (!job.spec().dependencies().isEmpty())
            {
                final String blocked = dependencies(job);
                if (blocked == null)
                {
                    neverMet.add(job);
                    continue;
                }
                if (!blocked.isEmpty())
                {
                    waiting.put(job.id(), blocked);
                    continue;
                }
            }
            queue.add(queued(job));
        }
        for (final Job job : neverMet)
        {
            cancelNeverMet(job, now);
        }
        if (queue.isEmpty())
        {
            return;
        }
        final List<NodeView> nodes = new ArrayList<>();
        for (final NodeStatus node : registry.all())
        {
            nodes.add(new NodeView(node.name(), node.state(), node.capacity().slots()));
        }
        final List<Allocation> running = new ArrayList<>();
        for (final AttemptRun run : active.values())
        {
            running.add(new Allocation(run.jobId, run.placement, run.killAt != null
                ? run.killAt.plus(config.killGrace()) : run.deadline));
        }
        final Decision decision = scheduler.schedule(queue, nodes, running, now);
        launch(decision.starts(), now);
        if (decision.reservation() != null)
        {
            waiting.put(decision.reservation().jobId(), "first in line; slots reserved "
                + (decision.reservation().at() == null ? "when running jobs end" : "from "
                + decision.reservation().at()));
        }
        for (final long id : decision.tooLarge())
        {
            waiting.put(id, "too large for the nodes now UP");
        }
    }

    /**
     * Whether a job's dependencies let it start: "" if they do, the reason if it waits, null if one can never be
     * met.
     */
    private String dependencies(final Job job)
    {
        for (final Dependency dependency : job.spec().dependencies())
        {
            final Job other = live.containsKey(dependency.jobId()) ? live.get(dependency.jobId()) : ended(dependency);
            if (other == null || !other.state().terminal())
            {
                return "waiting for job " + dependency.jobId() + " to end";
            }
            if (dependency.kind() == Dependency.Kind.AFTER_SUCCESS && !(other.state() instanceof JobState.Completed))
            {
                return null;
            }
        }
        return "";
    }

    private Job ended(final Dependency dependency)
    {
        flush();
        return store.job(dependency.jobId()).orElse(null);
    }

    /** Cancels a job one of whose dependencies ended in a way that can never meet it. */
    private void cancelNeverMet(final Job job, final Instant now)
    {
        for (final Dependency dependency : job.spec().dependencies())
        {
            final Job other = live.containsKey(dependency.jobId()) ? live.get(dependency.jobId()) : ended(dependency);
            if (other != null && other.state().terminal() && dependency.kind() == Dependency.Kind.AFTER_SUCCESS
                && !(other.state() instanceof JobState.Completed))
            {
                move(job, new JobState.Cancelled("dependency never met: job " + dependency.jobId() + " ended "
                    + other.state().name() + ", not COMPLETED"), now, null, false);
                return;
            }
        }
    }

    /** Records the pass's new attempts in one commit, then sends every node its share. */
    private void launch(final List<Decision.Start> starts, final Instant now)
    {
        if (starts.isEmpty())
        {
            return;
        }
        final List<JobStore.AttemptStart> records = new ArrayList<>(starts.size());
        for (final Decision.Start start : starts)
        {
            records.add(new JobStore.AttemptStart(start.jobId(), live.get(start.jobId()).attempts() + 1,
                start.placement()));
        }
        // The state changes since the last commit go in the same transaction, before the new attempts.
        store.commit(List.copyOf(unwritten), records, now);
        unwritten.clear();
        dirty = false;
        for (final JobStore.AttemptStart record : records)
        {
            final Job job = live.get(record.jobId());
            final AttemptRun run = new AttemptRun(job.id(), record.number(), record.placement(), now,
                deadline(job.spec(), now));
            active.put(job.id(), run);
            remember(new Job(job.id(), job.owner(), job.spec(), new JobState.Starting(record.number()),
                record.number(), job.retryBase(), job.submittedAt(), null, null));
            final Path pkg = job.spec().packageHash() == null ? null
                : packages.path(job.spec().packageHash()).orElse(null);
            for (final String node : run.nodes())
            {
                link.launch(new LaunchOrder(job.id(), record.number(), node, record.placement(), job.spec(), pkg));
            }
        }
    }

    private static Instant deadline(final JobSpec spec, final Instant start)
    {
        return spec.timeLimit() == null ? null : start.plus(spec.timeLimit());
    }

    /** Makes a user's cancel or requeue of a running attempt durable before it is acknowledged. */
    private void storeStopRequest(final AttemptRun run)
    {
        if (run.ending == AttemptRun.Ending.CANCEL || run.ending == AttemptRun.Ending.REQUEUE)
        {
            store.requestStop(run.jobId, run.number, new JobStore.StopRequest(run.ending.name(), run.reason));
        }
    }

    /** Sends SIGTERM to every node still running ranks of the attempt; SIGKILL follows after the grace period. */
    private void stop(final AttemptRun run, final Instant now)
    {
        if (run.killAt == null)
        {
            run.killAt = now.plus(config.killGrace());
            for (final String node : run.nodesWithLiveRanks())
            {
                link.kill(node, run.jobId, run.number, KillSignal.TERM);
            }
        }
        if (run.live.isEmpty())
        {
            finish(run, now);
        }
    }

    private void nodeDown(final String node, final String reason, final Instant now)
    {
        for (final AttemptRun run : List.copyOf(active.values()))
        {
            if (run.runsOn(node))
            {
                loseRanks(run, node, "node " + node + " lost: " + reason, now);
            }
        }
        wake();
    }

    private void loseRanks(final AttemptRun run, final String node, final String reason, final Instant now)
    {
        run.forgetRanksOn(node);
        run.end(AttemptRun.Ending.NODE_LOST, reason, null);
        stop(run, now);
    }

    /** Every rank is gone: records how the attempt ended and what becomes of the job, by its policy. */
    private void finish(final AttemptRun run, final Instant now)
    {
        if (active.remove(run.jobId) == null)
        {
            return;
        }
        try
        {
            output.close(run.jobId, run.number);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot close the output of job " + run.jobId, ex);
        }
        final Job job = live.get(run.jobId);
        final int n = run.number;
        if (run.ending == null)
        {
            move(job, new JobState.Completed(), now, new JobStore.AttemptEnd(n, Attempt.Status.SUCCEEDED, 0, null),
                false);
            wake();
            return;
        }
        final JobStore.AttemptEnd end;
        final JobState next;
        boolean requeue = false;
        switch (run.ending)
        {
            case CANCEL ->
            {
                end = new JobStore.AttemptEnd(n, Attempt.Status.CANCELLED, null, run.reason);
                next = new JobState.Cancelled(run.reason);
            }
            case TIMEOUT ->
            {
                end = new JobStore.AttemptEnd(n, Attempt.Status.TIMED_OUT, null, run.reason);
                next = new JobState.TimedOut(run.reason);
            }
            case REQUEUE ->
            {
                end = new JobStore.AttemptEnd(n, Attempt.Status.REQUEUED, null, run.reason);
                next = new JobState.Pending(null, run.reason);
                requeue = true;
                queuedAt.put(run.jobId, now);
            }
            case NODE_BUSY ->
            {
                // Not the job's fault: no retry is used, the job keeps its place in line, and waits a moment so
                // that a node still stopping old ranks is not asked again at once.
                end = new JobStore.AttemptEnd(n, Attempt.Status.REQUEUED, null, run.reason);
                next = new JobState.Pending(now.plus(NODE_BUSY_PAUSE), "attempt " + n + " did not start: "
                    + run.reason);
            }
            case NODE_LOST ->
            {
                end = new JobStore.AttemptEnd(n, Attempt.Status.NODE_LOST, null, run.reason);
                next = afterNodeLoss(job, run, now);
            }
            default ->
            {
                end = new JobStore.AttemptEnd(n, Attempt.Status.FAILED, run.exitCode, run.reason);
                next = afterFailure(job, run, now);
            }
        }
        move(job, next, now, end, requeue);
        wake();
    }

    private JobState afterNodeLoss(final Job job, final AttemptRun run, final Instant now)
    {
        if (!job.spec().retry().requeueOnNodeLoss())
        {
            return new JobState.Failed(-1, run.reason + " (retry.onNodeLoss is \"fail\")");
        }
        final long losses = previous(job, Attempt.Status.NODE_LOST) + 1;
        if (losses > config.maxNodeLossRequeues())
        {
            return new JobState.DeadLetter("lost its nodes " + losses + " times; last: " + run.reason);
        }
        // Not before the lost node's agent has stopped its ranks on its own, so the job never runs twice at once.
        return new JobState.Pending(now.plus(config.nodeLossFence()), "attempt " + run.number + " requeued: "
            + run.reason);
    }

    private JobState afterFailure(final Job job, final AttemptRun run, final Instant now)
    {
        final int code = run.exitCode == null ? -1 : run.exitCode;
        final long failures = previous(job, Attempt.Status.FAILED) + 1;
        final int max = job.spec().retry().maxAttempts();
        if (!job.spec().retry().retries(code))
        {
            return new JobState.Failed(code, run.reason);
        }
        if (failures < max)
        {
            final Instant notBefore = now.plus(job.spec().retry().delayAfter((int)failures));
            return new JobState.Pending(notBefore, "attempt " + run.number + " failed (" + run.reason + "); try "
                + (failures + 1) + " of " + max + " from " + notBefore);
        }
        if (max > 1)
        {
            return new JobState.DeadLetter("all " + max + " attempts failed; last: " + run.reason);
        }
        return new JobState.Failed(code, run.reason);
    }

    /** Attempts with this status since the job's last requeue (the current attempt is still ACTIVE in the store). */
    private long previous(final Job job, final Attempt.Status status)
    {
        flush();
        return store.attempts(job.id()).stream()
            .filter(attempt -> attempt.number() > job.retryBase() && attempt.status() == status).count();
    }

    private Job move(final Job job, final JobState next, final Instant now, final JobStore.AttemptEnd end,
        final boolean requeue)
    {
        // Committed with the other changes of this pass or request (flush): one write for all of them.
        unwritten.add(new JobStore.Transition(job.id(), next, now, end, requeue));
        dirty = true;
        return remember(new Job(job.id(), job.owner(), job.spec(), next, job.attempts(),
            requeue ? job.attempts() : job.retryBase(), job.submittedAt(), next.terminal() ? now : null,
            job.progress()));
    }

    private Job remember(final Job job)
    {
        final long id = job.id();
        final Job before;
        if (job.state().terminal())
        {
            before = live.remove(id);
            queuedAt.remove(id);
            waiting.remove(id);
        }
        else
        {
            before = live.put(id, job);
        }
        if (!(job.state() instanceof JobState.Pending))
        {
            pendingSince.remove(id);
        }
        else if (before == null || !(before.state() instanceof JobState.Pending))
        {
            pendingSince.put(id, passes);
        }
        return job;
    }

    /**
     * Commits the state changes made since the last commit, in one transaction; called before anything reads the
     * store and before a request is answered.
     */
    private void flush()
    {
        if (!unwritten.isEmpty())
        {
            store.commit(List.copyOf(unwritten), List.of(), clock.instant());
            unwritten.clear();
        }
        dirty = false;
    }

    /** Makes the store hold every change made so far, before a read from it. */
    private void written()
    {
        if (dirty)
        {
            synchronized (this)
            {
                flush();
            }
        }
    }

    /** Takes newly stored jobs into the live state; called under the lock before live state is read. */
    private void absorbArrivals()
    {
        for (Job job = arrivals.poll(); job != null; job = arrivals.poll())
        {
            if (!live.containsKey(job.id()))
            {
                live.put(job.id(), job);
                queuedAt.put(job.id(), job.submittedAt());
                if (job.state() instanceof JobState.Pending)
                {
                    pendingSince.put(job.id(), passes);
                }
            }
        }
    }

    private Job liveJob(final long id, final String verb) throws RequestException
    {
        absorbArrivals();
        final Job job = live.get(id);
        if (job != null)
        {
            return job;
        }
        flush();
        final Job ended = store.job(id).orElseThrow(() -> new RequestException(RequestException.Kind.NOT_FOUND,
            "no job " + id));
        throw new RequestException(RequestException.Kind.CONFLICT, "job " + id + " has ended ("
            + ended.state().name() + ") and cannot be " + verb);
    }

    private Map<String, Integer> usedSlots()
    {
        final Map<String, Integer> used = new HashMap<>();
        for (final AttemptRun run : active.values())
        {
            for (final RankBlock block : run.placement)
            {
                used.merge(block.node(), block.count(), Integer::sum);
            }
        }
        return used;
    }

    @Override
    public void nodeJoined(final String node, final NodeCapacity capacity, final String address,
        final AgentReport report)
    {
        synchronized (this)
        {
            final Instant now = clock.instant();
            registry.join(node, capacity, address, now);
            reconcile(report, now, true);
        }
        wake();
    }

    @Override
    public synchronized void heartbeat(final AgentReport report)
    {
        final Instant now = clock.instant();
        if (registry.heartbeat(report.node(), now))
        {
            reconcile(report, now, false);
        }
        wakeIfDirty();
    }

    /**
     * Compares what a node says it runs with what the head node believes: attempts the head node no longer runs are
     * killed there (nothing runs twice), exits the head node missed are applied, and attempts the node should run
     * but does not report are counted lost: on a join, every such attempt (the node's agent started afresh or its
     * link broke); on a heartbeat, attempts the node confirmed it started and attempts recovered after a head
     * restart (a launch sent a moment ago, not yet confirmed, may not be in a heartbeat yet).
     */
    private void reconcile(final AgentReport report, final Instant now, final boolean joined)
    {
        final String node = report.node();
        final Set<Long> reported = new java.util.HashSet<>();
        for (final AgentReport.Running running : report.attempts())
        {
            final AttemptRun run = active.get(running.jobId());
            if (run == null || run.number != running.attempt())
            {
                if (!running.liveRanks().isEmpty())
                {
                    LOG.log(System.Logger.Level.WARNING, "node " + node + " runs job " + running.jobId() + " attempt "
                        + running.attempt() + ", which the head node does not run: killing it");
                    link.kill(node, running.jobId(), running.attempt(), KillSignal.KILL);
                }
                continue;
            }
            reported.add(run.jobId);
            run.unconfirmed.remove(node);
            if (run.stopRestored && !running.liveRanks().isEmpty())
            {
                // A cancel or requeue acknowledged before the head node restarted: this node's ranks still run.
                if (run.killAt == null)
                {
                    stop(run, now);
                }
                else
                {
                    link.kill(node, run.jobId, run.number, run.killSent ? KillSignal.KILL : KillSignal.TERM);
                }
            }
            if (run.notStarted.contains(node))
            {
                started(node, run, now);
            }
            for (final Map.Entry<Integer, Integer> exit : running.exited().entrySet())
            {
                exited(node, run, exit.getKey(), exit.getValue(), now);
            }
        }
        for (final AttemptRun run : List.copyOf(active.values()))
        {
            // A node's messages arrive in order: once it confirmed the start, its heartbeats list the attempt until
            // its ranks' exits were sent.
            final boolean expected = joined ? run.runsOn(node) : run.unconfirmed.contains(node)
                || run.runsOn(node) && !run.notStarted.contains(node);
            if (expected && !reported.contains(run.jobId))
            {
                loseRanks(run, node, "node " + node + " no longer runs attempt " + run.number
                    + (joined ? " (it joined again)" : " after the head node restarted"), now);
            }
        }
    }

    @Override
    public synchronized void attemptStarted(final String node, final long jobId, final int attempt)
    {
        final AttemptRun run = active.get(jobId);
        if (run != null && run.number == attempt)
        {
            started(node, run, clock.instant());
        }
        // The scheduling pass commits the change, together with whatever else happened meanwhile.
        wakeIfDirty();
    }

    private void started(final String node, final AttemptRun run, final Instant now)
    {
        if (run.notStarted.remove(node) && run.notStarted.isEmpty() && run.ending == null
            && live.get(run.jobId).state() instanceof JobState.Starting)
        {
            move(live.get(run.jobId), new JobState.Running(run.number), now, null, false);
        }
    }

    @Override
    public void launchFailed(final String node, final long jobId, final int attempt, final String reason,
        final boolean nodeBusy)
    {
        synchronized (this)
        {
            final AttemptRun run = active.get(jobId);
            if (run == null || run.number != attempt)
            {
                return;
            }
            final Instant now = clock.instant();
            run.forgetRanksOn(node);
            if (nodeBusy)
            {
                run.end(AttemptRun.Ending.NODE_BUSY, "node " + node + " could not take it: " + reason, null);
            }
            else
            {
                run.end(AttemptRun.Ending.LAUNCH_FAILED, "launch failed on " + node + ": " + reason, -1);
            }
            stop(run, now);
        }
        wake();
    }

    @Override
    public void rankExited(final String node, final long jobId, final int attempt, final int rank,
        final int exitCode)
    {
        synchronized (this)
        {
            final AttemptRun run = active.get(jobId);
            if (run == null || run.number != attempt)
            {
                return;
            }
            exited(node, run, rank, exitCode, clock.instant());
        }
        wake();
    }

    private void exited(final String node, final AttemptRun run, final int rank, final int exitCode,
        final Instant now)
    {
        if (!node.equals(run.nodeOf(rank)) || !run.live.contains(rank))
        {
            return;
        }
        // A rank that exited had started, even if the node's start confirmation has not arrived.
        started(node, run, now);
        run.live.remove(rank);
        if (exitCode != 0 && run.end(AttemptRun.Ending.RANK_FAILED, "rank " + rank + " on " + node
            + " exited with " + exitCode, exitCode))
        {
            // One failed rank fails the gang, as with mpirun: the other ranks are stopped.
            stop(run, now);
        }
        else if (run.live.isEmpty())
        {
            finish(run, now);
        }
    }

    @Override
    public void output(final long jobId, final int attempt, final int rank, final byte[] chunk)
    {
        try
        {
            output.append(jobId, attempt, rank, chunk);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot store output of job " + jobId + " rank " + rank, ex);
        }
    }

    @Override
    public void progress(final long jobId, final int attempt, final long done, final long total, final String message)
    {
        final Progress report;
        try
        {
            report = new Progress(done, total, message, clock.instant());
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "job " + jobId + " attempt " + attempt + " sent a bad progress "
                + "report: " + ex.getMessage());
            return;
        }
        progress.report(jobId, new Reported(attempt, report));
    }

    private void storeProgress(final long jobId, final Reported reported)
    {
        try
        {
            // State changes made in memory but not yet committed (a RUNNING waiting for the next pass) go first,
            // so the event stream never shows a job's progress before the state it was reported in.
            written();
            store.progress(jobId, reported.attempt(), reported.progress());
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot store the progress of job " + jobId, ex);
        }
    }

    @Override
    public void nodeLost(final String node, final String reason)
    {
        synchronized (this)
        {
            final Instant now = clock.instant();
            if (registry.lost(node, reason, now))
            {
                nodeDown(node, reason, now);
            }
        }
        wake();
    }

    @Override
    public void close()
    {
        closed = true;
        progress.close();
        wake();
        if (loop != null)
        {
            try
            {
                loop.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this)
        {
            flush();
        }
    }
}

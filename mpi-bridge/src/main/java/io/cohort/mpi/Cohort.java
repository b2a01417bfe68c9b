package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.engine.EngineConfig;
import io.cohort.mpi.engine.ProgressEngine;
import io.cohort.transport.AddressExchange;
import io.cohort.transport.InMemoryExchange;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportException;
import io.cohort.transport.shm.ShmConfig;
import io.cohort.transport.shm.ShmTransport;
import io.cohort.transport.tcp.TcpConfig;
import io.cohort.transport.tcp.TcpTransport;
import io.cohort.wireup.JobEnvironment;
import io.cohort.wireup.ProgressReport;
import io.cohort.wireup.WireUpClient;
import io.cohort.wireup.WireUpException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rank's handle on its job: the entry point of every Cohort program (MPI_Init and MPI_Finalize).
 * <pre>{@code
 * public static void main(String[] args) {
 *     try (Cohort cohort = Cohort.init(args)) {
 *         Communicator world = cohort.world();
 *         int[] token = {0};
 *         if (world.rank() == 0) {
 *             world.send(token, 0, 1, 1 % world.size(), 0);
 *         }
 *         ...
 *     }
 * }
 * }</pre>
 * Launched by {@code cohort run -n N}, each process is one rank; started with plain {@code java}, a program is a
 * job of one rank.
 *
 * <p>Not thread-safe: call Cohort from one thread per rank (MPI_THREAD_FUNNELED).
 */
public final class Cohort implements AutoCloseable
{
    /** Accept a message from any rank (MPI_ANY_SOURCE). */
    public static final int ANY_SOURCE = -1;
    /** Accept a message with any tag (MPI_ANY_TAG). */
    public static final int ANY_TAG = -1;
    /** The largest tag a message may carry (MPI_TAG_UB). */
    public static final int MAX_TAG = Integer.MAX_VALUE;
    /** The least time between two progress reports leaving a rank: later calls meanwhile are coalesced. */
    static final long PROGRESS_INTERVAL_MILLIS = 200;

    private final JobEnvironment job;
    private final WireUpClient wireUp;
    /** Shared memory, for peers on this host; null when --transport tcp forces TCP everywhere. */
    private final Transport shm;
    /** TCP, for peers on other hosts; null when the job runs on one host and nothing forces it. */
    private final Transport tcp;
    private final ProgressEngine engine;
    private final Communicator world;
    private final int localRanks;
    private int nextContext = 2;
    private final Thread cleanupHook;
    private final boolean checking;
    /** Rank 0's progress sender, made at the first report. */
    private ProgressReporter progress;
    private boolean closed;

    private Cohort(final JobEnvironment job, final Map<String, String> env, final AddressExchange given)
    {
        this.job = job;
        this.checking = "1".equals(env.get("COHORT_CHECK"));
        this.wireUp = given != null || job.wireUp() == null ? null
            : new WireUpClient(job.wireUp(), job.token(), job.rank());
        final AddressExchange exchange = given != null ? given : wireUp == null ? new InMemoryExchange(1) : wireUp;
        final int size = job.size();
        final int rank = job.rank();
        final TransportChoice choice;
        try
        {
            choice = TransportChoice.fromEnvironment(env);
        }
        catch (final CohortException ex)
        {
            closeWireUp();
            throw ex;
        }
        Transport sharedMemory = null;
        Transport network = null;
        String settingUp = "shared-memory";
        try
        {
            if (choice.usesSharedMemory())
            {
                sharedMemory = new ShmTransport(ShmConfig.fromEnvironment(env), job.jobId(), rank, size);
            }
            if (choice.usesTcp())
            {
                settingUp = "TCP";
                network = TcpTransport.create(TcpConfig.fromEnvironment(env), job.jobId(), rank, size,
                    env.get("COHORT_TCP_IO"));
            }
        }
        catch (final TransportException ex)
        {
            closeAll(sharedMemory, network);
            closeWireUp();
            throw new CohortException("rank " + rank + " cannot set up its " + settingUp + " transport: "
                + ex.getMessage(), ex);
        }
        this.shm = sharedMemory;
        this.tcp = network;
        try
        {
            final Wiring wiring = wire(exchange, choice, rank, size);
            this.localRanks = wiring.localRanks();
            final boolean oversubscribed = localRanks > Runtime.getRuntime().availableProcessors();
            this.engine = new ProgressEngine(rank, size, wiring.polled(), wiring.byPeer(),
                EngineConfig.fromEnvironment(env, oversubscribed));
            if ("1".equals(env.get("COHORT_REPORT_BINDINGS")))
            {
                System.err.println(TransportChoice.describe(rank, wiring.byPeer(), env.get("COHORT_NODE_NAME")));
            }
        }
        catch (final RuntimeException ex)
        {
            abortAll(shm, tcp);
            closeAll(shm, tcp);
            closeWireUp();
            throw ex;
        }
        this.cleanupHook = new Thread(() -> removeNamedFiles(shm, tcp), "cohort-shm-cleanup");
        final int[] identity = new int[size];
        for (int i = 0; i < size; i++)
        {
            identity[i] = i;
        }
        this.world = new Communicator(this, engine, 0, rank, identity, identity);
        // The job's settings, not only the process's: threads-as-ranks jobs pass theirs in.
        if (given != null)
        {
            world.useCollectiveTuning(CollectiveTuning.fromEnvironment(env));
        }
        // A head node's ranks are watched by their agent instead: they outlive a restart of the head node.
        if (wireUp != null && !"0".equals(env.get("COHORT_WATCH_LAUNCHER")))
        {
            wireUp.watchLauncher(() ->
            {
                System.err.println("cohort: rank " + rank + " lost its launcher (it was killed); exiting");
                System.exit(1);
            });
        }
        // Files peers may still open by name are removed however the JVM ends (exit, exception, SIGTERM).
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Which transport reaches each peer, which transports to poll, and how many ranks share this host. */
    private record Wiring(Transport[] byPeer, Transport[] polled, int localRanks)
    {
    }

    /** Publishes this rank's endpoints, fences, and connects each peer through the first transport reaching it. */
    private Wiring wire(final AddressExchange exchange, final TransportChoice choice, final int rank, final int size)
    {
        if (shm != null)
        {
            shm.publish(exchange);
        }
        if (tcp != null)
        {
            tcp.publish(exchange);
        }
        exchange.fence();
        final Transport[] byPeer = new Transport[size];
        int local = 1;
        boolean anyShm = false;
        boolean anyTcp = false;
        for (int peer = 0; peer < size; peer++)
        {
            if (peer == rank)
            {
                continue;
            }
            if (shm != null && shm.connect(peer, exchange))
            {
                byPeer[peer] = shm;
                anyShm = true;
                local++;
            }
            else if (tcp != null && tcp.connect(peer, exchange))
            {
                byPeer[peer] = tcp;
                anyTcp = true;
            }
            else
            {
                throw new CohortException(choice.unreachable(rank, peer));
            }
        }
        exchange.fence();
        if (shm != null)
        {
            shm.connected();
        }
        if (tcp != null)
        {
            tcp.connected();
        }
        // Only transports that reach a peer are polled: a job on one host never pays for a TCP poll.
        final List<Transport> polled = new ArrayList<>();
        if (anyShm || !anyTcp && shm != null)
        {
            polled.add(shm);
        }
        if (anyTcp || polled.isEmpty())
        {
            polled.add(tcp);
        }
        return new Wiring(byPeer, polled.toArray(Transport[]::new), local);
    }

    private static void closeAll(final Transport... transports)
    {
        for (final Transport transport : transports)
        {
            if (transport != null)
            {
                transport.close();
            }
        }
    }

    private static void abortAll(final Transport... transports)
    {
        for (final Transport transport : transports)
        {
            if (transport != null)
            {
                transport.abort();
            }
        }
    }

    private static void removeNamedFiles(final Transport... transports)
    {
        for (final Transport transport : transports)
        {
            if (transport != null)
            {
                transport.removeNamedFiles();
            }
        }
    }

    /**
     * Joins the job this process was launched into (or starts a job of one rank when there is no launcher).
     * Returns once every rank of the job has joined.
     *
     * @param args the program's arguments (kept for MPI familiarity; Cohort reads its settings from the
     *             environment a launcher sets)
     * @return the handle; close it when the rank is done
     * @throws CohortException if the job cannot be joined, naming what is missing
     */
    public static Cohort init(final String[] args)
    {
        final Map<String, String> env = System.getenv();
        try
        {
            return new Cohort(JobEnvironment.fromEnvironment(env), env, null);
        }
        catch (final WireUpException | TransportException ex)
        {
            throw new CohortException(ex.getMessage(), ex);
        }
    }

    /**
     * Joins a job through a given address exchange rather than a launcher's: for ranks that are threads of one
     * process (tests, JMH benchmarks, embedding). Every rank of the job must join concurrently, since wire-up
     * fences wait for all of them. A handle may be handed from the thread that joined to the one that uses it.
     *
     * @param job      the job and this rank
     * @param exchange the job's exchange, shared by its ranks
     * @param env      settings (the variables Cohort reads)
     * @return the handle
     */
    public static Cohort join(final JobEnvironment job, final AddressExchange exchange, final Map<String, String> env)
    {
        return new Cohort(job, env, exchange);
    }

    /**
     * The communicator of every rank in the job (MPI_COMM_WORLD).
     *
     * @return the world communicator
     */
    public Communicator world()
    {
        return world;
    }

    /**
     * The job's id, as the launcher named it.
     *
     * @return the job id
     */
    public String jobId()
    {
        return job.jobId();
    }

    /**
     * How many ranks of the job run on this host (this one included).
     *
     * @return ranks sharing this host's memory
     */
    public int localRanks()
    {
        return localRanks;
    }

    /**
     * Allocates memory in shared memory, registered with the transport. A large message sent from such memory is
     * copied once, by the receiver, straight out of it: the fastest path for big buffers. The memory lives until
     * this handle is closed.
     *
     * @param bytes the size in bytes, &gt; 0
     * @return zeroed memory
     */
    public MemorySegment allocate(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new CohortException("allocate(" + bytes + "): the size must be positive");
        }
        return (shm != null ? shm : tcp).allocateRegistered(bytes);
    }

    /**
     * Reports the job's progress: {@code done} units of work out of {@code total} (0 when the total is not known),
     * with a short message or null. Only <b>rank 0</b> speaks for the job: on other ranks the values are checked and
     * otherwise ignored, so every rank may run the same code.
     * <pre>{@code
     * for (int step = 1; step <= steps; step++) {
     *     solve(step);
     *     cohort.progress(step, steps, "step " + step);
     * }
     * }</pre>
     * Returns at once and never fails the job: the latest report is sent at most every 200 ms by a daemon thread
     * (calls meanwhile are coalesced, the latest wins) and the last one is sent when this handle is closed. Under a
     * head node a report reaches the job's record within a second ({@code cohort watch} draws it as a bar); under
     * {@code cohort run} the launcher prints it on its standard error; a process started alone prints it on its own.
     * If the launcher cannot be reached any more, reports are dropped.
     *
     * @param done    units done, &ge; 0, at most {@code total} when {@code total > 0}
     * @param total   units in all, &ge; 0 (0: unknown)
     * @param message one line for people (line breaks become spaces), at most 1000 characters, or null
     * @throws IllegalArgumentException naming the values, if done or total is negative, done exceeds a positive
     *                                  total, or the message is too long
     */
    public void progress(final long done, final long total, final String message)
    {
        ProgressReport.check(done, total, message);
        if (world.rank() != 0 || closed)
        {
            return;
        }
        if (progress == null)
        {
            progress = new ProgressReporter(wireUp != null ? wireUp::progress
                : report -> System.err.println("cohort: progress " + report.describe()), PROGRESS_INTERVAL_MILLIS);
        }
        progress.report(done, total, message);
    }

    /**
     * Ends the job now with an exit code, as MPI_Abort: peers waiting on this rank fail at once and the launcher
     * stops the other ranks.
     *
     * @param exitCode the exit code for this process
     */
    public void abort(final int exitCode)
    {
        abortAll(shm, tcp);
        Runtime.getRuntime().halt(exitCode);
    }

    boolean checking()
    {
        return checking;
    }

    int newContext()
    {
        final int context = nextContext;
        nextContext += 2;
        return context;
    }

    int peekNextContext()
    {
        return nextContext;
    }

    void advanceContext(final int atLeast)
    {
        nextContext = Math.max(nextContext, atLeast);
    }

    /** Leaves the job (MPI_Finalize): writes out what is queued, then tells peers this rank has finished. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (progress != null)
        {
            // Before the exchange's connection closes: the last report must get out.
            progress.close();
        }
        try
        {
            engine.drain();
        }
        finally
        {
            engine.markClosed();
            closeAll(shm, tcp);
            closeWireUp();
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is shutting down and runs the hook anyway.
            }
        }
    }

    private void closeWireUp()
    {
        if (wireUp != null)
        {
            wireUp.close();
        }
    }
}

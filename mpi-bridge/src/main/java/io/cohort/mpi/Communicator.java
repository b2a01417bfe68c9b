package io.cohort.mpi;

import io.cohort.mpi.engine.Operation;
import io.cohort.mpi.collective.Barrier;
import io.cohort.mpi.collective.Broadcast;
import io.cohort.mpi.collective.Exchange;
import io.cohort.mpi.collective.CollectiveChannel;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.Reduction;
import io.cohort.mpi.collective.Schedule;
import io.cohort.mpi.collective.SharedMemoryCollectives;
import io.cohort.mpi.collective.TunedCollective;
import io.cohort.mpi.engine.ProgressEngine;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A group of ranks with a private channel for their messages (MPI_Comm): traffic on one communicator never
 * matches a receive on another, so a library can {@link #dup()} the world and never confuse its messages with the
 * application's. Point-to-point calls take every buffer kind: {@link MemorySegment} (the zero-copy path; memory
 * from {@link Cohort#allocate} is copied once), {@link ByteBuffer}, and byte, int, long, float and double arrays
 * with an offset and a count in elements.
 * <pre>{@code
 * Communicator world = cohort.world();
 * double[] row = new double[n];
 * if (world.rank() == 0) {
 *     world.send(row, 0, n, 1, 42);
 * } else if (world.rank() == 1) {
 *     Status status = world.recv(row, 0, n, 0, 42);
 * }
 * }</pre>
 * Messages from one sender on one communicator arrive in the order they were sent (MPI's non-overtaking rule).
 *
 * <p>Not thread-safe: use a communicator from the thread that initialised Cohort.
 */
public final class Communicator
{
    /** The color that leaves a rank out of {@link #split} (MPI_UNDEFINED). */
    public static final int UNDEFINED = -32766;

    private static final ValueLayout.OfByte BYTES = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfInt INTS = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONGS = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOATS = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLES = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final int TAG_ALLGATHER = 2;
    /** Stands for segment and ByteBuffer data in checking mode: they carry bytes, as byte arrays do. */
    private static final byte[] SEGMENT_BYTES = new byte[0];
    /** The most values a small allreduce of segments holds: 4 KiB of ints. */
    private static final int SMALL_SEGMENT_VALUES = SharedMemoryCollectives.ALL_READ_BYTES / Integer.BYTES;
    /** Empty arrays of each reducible type: what an operation is checked against for segments of that type. */
    private static final int[] NO_INTS = new int[0];
    private static final long[] NO_LONGS = new long[0];
    private static final float[] NO_FLOATS = new float[0];
    private static final double[] NO_DOUBLES = new double[0];

    private final Cohort cohort;
    private final ProgressEngine engine;
    private final int context;
    private final int collectiveContext;
    private final int rank;
    private final int size;
    private final int[] localToWorld;
    private final int[] worldToLocal;
    private int collectiveCalls;
    private CollectiveTuning tuning = CollectiveTuning.ofProcess();
    private SharedMemoryCollectives sharedMemory;
    /** The array an allreduce of segments through shared memory reduces in, unless it runs in one copy. */
    private Object segmentScratch;
    /** Where a small allreduce of segments through shared memory puts its result before the receive segment. */
    private Object smallSum;
    private boolean sharedMemoryDecided;
    private Hierarchy hierarchy;
    private boolean hierarchyDecided;

    Communicator(final Cohort cohort, final ProgressEngine engine, final int context, final int rank,
        final int[] localToWorld, final int[] worldToLocal)
    {
        this.cohort = cohort;
        this.engine = engine;
        this.context = context;
        this.collectiveContext = context + 1;
        this.rank = rank;
        this.size = localToWorld.length;
        this.localToWorld = localToWorld;
        this.worldToLocal = worldToLocal;
    }

    /**
     * This rank's number in the communicator, 0 to {@code size() - 1} (MPI_Comm_rank).
     *
     * @return the rank
     */
    public int rank()
    {
        return rank;
    }

    /**
     * The number of ranks in the communicator (MPI_Comm_size).
     *
     * @return the size
     */
    public int size()
    {
        return size;
    }

    /**
     * The world rank of a rank of this communicator (MPI_Group_translate_ranks against the world).
     *
     * @param localRank a rank of this communicator
     * @return its rank in the world communicator
     */
    public int worldRank(final int localRank)
    {
        return localToWorld[checkRank(localRank, "rank")];
    }

    /**
     * A communicator with the same ranks and a private channel (MPI_Comm_dup). Collective: every rank calls it.
     *
     * @return the duplicate
     */
    public Communicator dup()
    {
        final int[] all = allgatherInts(new int[] {cohort.peekNextContext()});
        int newContext = 0;
        for (final int c : all)
        {
            newContext = Math.max(newContext, c);
        }
        cohort.advanceContext(newContext + 2);
        final Communicator copy = new Communicator(cohort, engine, newContext, rank, localToWorld, worldToLocal);
        copy.tuning = tuning;
        return copy;
    }

    /**
     * Splits the communicator by color; ranks of one color form a new communicator, ordered by key and then by
     * their rank here (MPI_Comm_split). Collective: every rank calls it.
     *
     * @param color a non-negative color, or {@link #UNDEFINED} to be in no new communicator
     * @param key   orders the ranks within a color
     * @return this rank's new communicator, or null for {@link #UNDEFINED}
     */
    public Communicator split(final int color, final int key)
    {
        if (color < 0 && color != UNDEFINED)
        {
            throw new CohortException("split color " + color + " is negative; use a color >= 0, or "
                + "Communicator.UNDEFINED to leave this rank out");
        }
        final int[] all = allgatherInts(new int[] {color, key, cohort.peekNextContext()});
        int newContext = 0;
        for (int r = 0; r < size; r++)
        {
            newContext = Math.max(newContext, all[3 * r + 2]);
        }
        cohort.advanceContext(newContext + 2);
        if (color == UNDEFINED)
        {
            return null;
        }
        final List<Integer> members = new ArrayList<>();
        for (int r = 0; r < size; r++)
        {
            if (all[3 * r] == color)
            {
                members.add(r);
            }
        }
        members.sort(Comparator.<Integer>comparingInt(r -> all[3 * r + 1]).thenComparingInt(r -> r));
        final int[] newLocalToWorld = new int[members.size()];
        final int[] newWorldToLocal = new int[worldToLocal.length];
        Arrays.fill(newWorldToLocal, -1);
        int newRank = -1;
        for (int i = 0; i < newLocalToWorld.length; i++)
        {
            final int member = members.get(i);
            newLocalToWorld[i] = localToWorld[member];
            newWorldToLocal[localToWorld[member]] = i;
            if (member == rank)
            {
                newRank = i;
            }
        }
        final Communicator part = new Communicator(cohort, engine, newContext, newRank, newLocalToWorld,
            newWorldToLocal);
        part.tuning = tuning;
        return part;
    }

    /**
     * How this communicator chooses its collective algorithms: by default the process's tuning
     * ({@link CollectiveTuning#ofProcess()}: measured defaults, {@code COHORT_COLL_TUNING}'s file, then the
     * {@code COHORT_<COLLECTIVE>_*} variables). Communicators made by {@link #dup()} and {@link #split} inherit it.
     *
     * @return the tuning
     */
    public CollectiveTuning collectiveTuning()
    {
        return tuning;
    }

    /**
     * Changes how this communicator chooses its collective algorithms, for example to force one for a benchmark.
     * Like an MPI info hint that selects an algorithm, every rank must set the same tuning before the next
     * collective call, or ranks would run different algorithms and hang.
     * <pre>{@code
     * world.useCollectiveTuning(CollectiveTuning.defaults().with("COHORT_ALLREDUCE_ALGORITHM", "ring"));
     * }</pre>
     *
     * @param newTuning the tuning
     */
    public void useCollectiveTuning(final CollectiveTuning newTuning)
    {
        if (newTuning == null)
        {
            throw new CohortException("the collective tuning is null; use CollectiveTuning.ofProcess() for the "
                + "default");
        }
        tuning = newTuning;
    }

    /**
     * Waits until every rank of the communicator has called it (MPI_Barrier). When every rank shares this host, by
     * flags in shared memory (see {@code SharedMemoryCollectives}); else, or with
     * {@code COHORT_BARRIER_ALGORITHM=dissemination}, a dissemination barrier (Hensgen, Finkel and Manber, 1988):
     * ceil(log2 n) rounds of zero-byte messages.
     */
    public void barrier()
    {
        check("barrier", -1, -1, null, null);
        if (tuning.sharedMemory(TunedCollective.BARRIER, 0))
        {
            if (sharedMemory() != null)
            {
                sharedMemory.barrier();
                return;
            }
            final Hierarchy levels = hierarchy();
            if (levels != null)
            {
                // Two-level: every host gathers, the hosts' leaders meet, every host is released.
                levels.intra().barrier();
                if (levels.leaders() != null)
                {
                    levels.leaders().barrier();
                }
                levels.intra().barrier();
                return;
            }
        }
        Barrier.disseminationNow(blockingChannel());
    }

    /**
     * Starts a barrier (MPI_Ibarrier): the request completes once every rank has called it. Collective.
     *
     * @return the request
     */
    public Request ibarrier()
    {
        check("ibarrier", -1, -1, null, null);
        if (tuning.sharedMemory(TunedCollective.BARRIER, 0) && sharedMemory() != null)
        {
            return sharedMemory.ibarrier();
        }
        return Barrier.dissemination(nextChannel()).start();
    }

    /**
     * Waits for a message that a receive with this source and tag would match, without receiving it
     * (MPI_Probe): its status tells the size to allocate.
     *
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the message's source, tag and size
     */
    public Status probe(final int source, final int tag)
    {
        final Status status = new Status();
        engine.probe(sourceRank(source), recvTag(tag), context, worldToLocal, status);
        return status;
    }

    /**
     * Checks once for a message that a receive with this source and tag would match (MPI_Iprobe).
     *
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the message's status, or null if none has arrived
     */
    public Status iprobe(final int source, final int tag)
    {
        final Status status = new Status();
        return engine.iprobe(sourceRank(source), recvTag(tag), context, worldToLocal, status) ? status : null;
    }

    /**
     * Checks once for a message, filling a caller's status (allocation-free polling).
     *
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the message's source, tag and size when one is there
     * @return true if a message is there
     */
    public boolean iprobe(final int source, final int tag, final Status status)
    {
        return engine.iprobe(sourceRank(source), recvTag(tag), context, worldToLocal, status);
    }

    // ------------------------------------------------------------------------------------------- collectives

    private ValueLayout layoutOf(final Object array)
    {
        return switch (array)
        {
            case byte[] a -> BYTES;
            case int[] a -> INTS;
            case long[] a -> LONGS;
            case float[] a -> FLOATS;
            case double[] a -> DOUBLES;
            default -> throw new CohortException("not a supported buffer: " + array.getClass().getSimpleName());
        };
    }

    /** This communicator's collective channel: its second context, so collectives never meet user messages. */
    private final CollectiveChannel collectiveChannel = new CollectiveChannel()
    {
        @Override
        public int rank()
        {
            return rank;
        }

        @Override
        public int size()
        {
            return size;
        }

        @Override
        public void send(final Object buffer, final int offset, final int count, final int dest, final int tag)
        {
            if (buffer instanceof MemorySegment segment)
            {
                sendSegment(segment.asSlice(offset, count), dest, tag, false, collectiveContext);
            }
            else
            {
                sendArray(buffer, layoutOf(buffer), offset, count, dest, tag, false, collectiveContext);
            }
        }

        @Override
        public void recv(final Object buffer, final int offset, final int count, final int source, final int tag)
        {
            if (buffer instanceof MemorySegment segment)
            {
                recvSegment(segment.asSlice(offset, count), source, tag, null, collectiveContext);
            }
            else
            {
                recvArray(buffer, layoutOf(buffer), offset, count, source, tag, null, collectiveContext);
            }
        }

        @Override
        public void sendrecv(final Object sendBuffer, final int sendOffset, final int sendCount, final int dest,
            final Object recvBuffer, final int recvOffset, final int recvCount, final int source, final int tag)
        {
            // Pooled operations, receive posted first: no allocation, and a peer's early message finds it waiting.
            final Operation in = engine.acquire();
            if (recvBuffer instanceof MemorySegment segment)
            {
                engine.prepareRecv(in, writable(segment.asSlice(recvOffset, recvCount)), sourceRank(source),
                    recvTag(tag), collectiveContext, worldToLocal);
            }
            else
            {
                engine.prepareRecv(in, recvBuffer, layoutOf(recvBuffer), recvOffset, recvCount, sourceRank(source),
                    recvTag(tag), collectiveContext, worldToLocal);
            }
            engine.startRecv(in);
            try
            {
                send(sendBuffer, sendOffset, sendCount, dest, tag);
            }
            catch (final CohortException ex)
            {
                engine.abandon(in);
                throw ex;
            }
            engine.awaitAndRelease(in, null);
        }

        @Override
        public void track(final Schedule schedule)
        {
            engine.addProgressable(schedule);
        }

        @Override
        public void progress()
        {
            engine.progress();
        }

        @Override
        public Request isend(final Object buffer, final int offset, final int count, final int dest, final int tag)
        {
            if (buffer instanceof MemorySegment segment)
            {
                return isendSegment(segment.asSlice(offset, count), dest, tag, collectiveContext);
            }
            return isendArray(buffer, layoutOf(buffer), offset, count, dest, tag, collectiveContext);
        }

        @Override
        public Request irecv(final Object buffer, final int offset, final int count, final int source, final int tag)
        {
            if (buffer instanceof MemorySegment segment)
            {
                return irecvSegment(segment.asSlice(offset, count), source, tag, collectiveContext);
            }
            return irecvArray(buffer, layoutOf(buffer), offset, count, source, tag, collectiveContext);
        }
    };

    private long elementBytes(final Object buffer)
    {
        return buffer instanceof MemorySegment ? 1 : layoutOf(buffer).byteSize();
    }

    /** A blocking bcast: through shared memory when the tuning says so and every rank shares this host. */
    private void bcastNow(final Object buf, final int offset, final int count, final int root)
    {
        if (tuning.sharedMemory(TunedCollective.BCAST, (long) count * elementBytes(buf)))
        {
            if (sharedMemory() != null)
            {
                sharedMemory.bcast(buf, offset, count, root);
                return;
            }
            final Hierarchy levels = hierarchy();
            if (levels != null)
            {
                // Two-level: the root's host first (its leader included), then the leaders, then the other hosts.
                final int rootHost = levels.hostIndex()[root];
                final boolean onRootHost = levels.hostIndex()[rank] == rootHost;
                if (onRootHost)
                {
                    levels.intra().bcastNow(buf, offset, count, levels.intraRank()[root]);
                }
                if (levels.leaders() != null)
                {
                    levels.leaders().bcastNow(buf, offset, count, rootHost);
                }
                if (!onRootHost)
                {
                    levels.intra().bcastNow(buf, offset, count, 0);
                }
                return;
            }
        }
        Broadcast.bcast(tuning, nextChannel(), buf, offset, count, root).start().await();
    }

    /** A blocking allreduce: through shared memory when the tuning says so and every rank shares this host. */
    private void allreduceNow(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count, final ReduceOperation operation)
    {
        if (tuning.sharedMemory(TunedCollective.ALLREDUCE, (long) count * elementBytes(send)))
        {
            if (sharedMemory() != null)
            {
                sharedMemory.allreduce(send, sendOffset, recv, recvOffset, count, operation,
                    Reduction.grain(operation, count));
                return;
            }
            // Two-level combines host by host, out of rank order: commutative operations only.
            final Hierarchy levels = operation.isCommutative() ? hierarchy() : null;
            if (levels != null && (levels.intra().size() == 1 || levels.intra().sharedMemory() != null))
            {
                Reduction.grain(operation, count);
                final Communicator intra = levels.intra();
                if (intra.size() > 1)
                {
                    intra.sharedMemory.reduce(send, sendOffset, recv, recvOffset, count, operation, 0);
                }
                else if (send != recv || sendOffset != recvOffset)
                {
                    System.arraycopy(send, sendOffset, recv, recvOffset, count);
                }
                if (levels.leaders() != null)
                {
                    levels.leaders().allreduceNow(recv, recvOffset, recv, recvOffset, count, operation);
                }
                intra.bcastNow(recv, recvOffset, count, 0);
                return;
            }
        }
        Reduction.allreduceNow(tuning, blockingChannel(), send, sendOffset, recv, recvOffset, count, operation);
    }

    /**
     * This communicator's shared-memory collectives, set up on first use, or null when some rank is on another host.
     * Every rank decides alike (reachability through shared memory is the same from every rank of one host), and
     * the set-up sends nothing: each rank creates its own region, named by this communicator's context, and maps
     * its peers' regions when it first waits for them.
     */
    private SharedMemoryCollectives sharedMemory()
    {
        if (!sharedMemoryDecided)
        {
            sharedMemoryDecided = true;
            sharedMemory = setUpSharedMemory();
        }
        return sharedMemory;
    }

    private SharedMemoryCollectives setUpSharedMemory()
    {
        if (size < 2)
        {
            return null;
        }
        Transport shm = null;
        final int myHost = tuning.logicalHost(localToWorld[rank]);
        for (int q = 0; q < size; q++)
        {
            if (q != rank)
            {
                final Transport transport = engine.transportOf(localToWorld[q]);
                if (!"shm".equals(transport.name()) || tuning.logicalHost(localToWorld[q]) != myHost)
                {
                    return null;
                }
                shm = transport;
            }
        }
        try
        {
            return new SharedMemoryCollectives(engine, shm, rank, localToWorld, "c" + context);
        }
        catch (final TransportException ex)
        {
            throw new CohortException("rank " + rank + " cannot map memory for shared-memory collectives ("
                + ex.getMessage() + "); free room in /dev/shm, or set COHORT_BARRIER_ALGORITHM, "
                + "COHORT_ALLREDUCE_ALGORITHM and COHORT_BCAST_ALGORITHM to a message-based algorithm", ex);
        }
    }

    /**
     * The two levels of a communicator that spans hosts: this rank's host part, the hosts' leaders (the lowest rank
     * of each host; null on other ranks), and for every rank its host's index among the leaders and its rank in
     * its host part.
     */
    private record Hierarchy(Communicator intra, Communicator leaders, int[] hostIndex, int[] intraRank)
    {
    }

    /**
     * This communicator's two levels, built on the first blocking collective that wants them (every rank calls it
     * there: it exchanges the ranks' hosts and splits twice), or null if every host holds one rank or all share one.
     */
    private Hierarchy hierarchy()
    {
        if (!hierarchyDecided)
        {
            hierarchyDecided = true;
            hierarchy = buildHierarchy();
        }
        return hierarchy;
    }

    private Hierarchy buildHierarchy()
    {
        if (size < 3)
        {
            return null;
        }
        final int[] hosts = allgatherInts(new int[] {hostKey()});
        final int[] hostIndex = new int[size];
        final int[] intraRank = new int[size];
        final int[] leaderOfHost = new int[size];
        int hostCount = 0;
        int largest = 0;
        for (int q = 0; q < size; q++)
        {
            int index = -1;
            for (int h = 0; h < hostCount && index < 0; h++)
            {
                index = hosts[leaderOfHost[h]] == hosts[q] ? h : -1;
            }
            if (index < 0)
            {
                index = hostCount;
                leaderOfHost[hostCount++] = q;
            }
            hostIndex[q] = index;
            int before = 0;
            for (int p = 0; p < q; p++)
            {
                before += hosts[p] == hosts[q] ? 1 : 0;
            }
            intraRank[q] = before;
            largest = Math.max(largest, before + 1);
        }
        if (hostCount == 1 || largest == 1)
        {
            return null;
        }
        final Communicator intra = split(hostIndex[rank], rank);
        final Communicator leaders = split(intraRank[rank] == 0 ? 0 : UNDEFINED, rank);
        return new Hierarchy(intra, leaders, hostIndex, intraRank);
    }

    /**
     * This rank's host as a number every rank of the host computes alike: its logical host if the tuning sets
     * them, else the lowest world rank reachable through shared memory (this one included).
     */
    private int hostKey()
    {
        final int me = localToWorld[rank];
        final int logical = tuning.logicalHost(me);
        if (logical >= 0)
        {
            return logical;
        }
        int key = me;
        for (int w = 0; w < key; w++)
        {
            if ("shm".equals(engine.transportOf(w).name()))
            {
                key = w;
            }
        }
        return key;
    }

    /**
     * The collective channel for one collective call, its tags offset by the call's sequence number. Every rank
     * numbers its collective calls alike (MPI requires the same order everywhere), so two nonblocking collectives in
     * flight at once, whose steps may be posted in different orders on different ranks, never take each other's
     * messages.
     */
    private CollectiveChannel nextChannel()
    {
        return new TaggedChannel(nextTagOffset(), false);
    }

    /**
     * The channel of a blocking collective call: one object reused for every blocking call (a blocking call ends
     * before the next one starts), with the call's own tag offset, and scratch space kept from call to call.
     */
    private CollectiveChannel blockingChannel()
    {
        blocking.offset = nextTagOffset();
        return blocking;
    }

    private int nextTagOffset()
    {
        return (collectiveCalls++ & 0x07FF_FFFF) << 4;
    }

    private final TaggedChannel blocking = new TaggedChannel(0, true);

    /** The collective channel with a call's tag offset added. */
    private final class TaggedChannel implements CollectiveChannel
    {
        /** Scratch arrays kept by a blocking channel are at most this long (elements), so none pins much memory. */
        private static final int KEPT_SCRATCH = 1 << 16;

        private int offset;
        private final boolean keepsScratch;
        private final Object[] kept = new Object[5];

        TaggedChannel(final int offset, final boolean keepsScratch)
        {
            this.offset = offset;
            this.keepsScratch = keepsScratch;
        }

        @Override
        public int rank()
        {
            return rank;
        }

        @Override
        public int size()
        {
            return size;
        }

        @Override
        public void send(final Object buffer, final int at, final int count, final int dest, final int tag)
        {
            collectiveChannel.send(buffer, at, count, dest, offset + tag);
        }

        @Override
        public void recv(final Object buffer, final int at, final int count, final int source, final int tag)
        {
            collectiveChannel.recv(buffer, at, count, source, offset + tag);
        }

        @Override
        public Request isend(final Object buffer, final int at, final int count, final int dest, final int tag)
        {
            return collectiveChannel.isend(buffer, at, count, dest, offset + tag);
        }

        @Override
        public Request irecv(final Object buffer, final int at, final int count, final int source, final int tag)
        {
            return collectiveChannel.irecv(buffer, at, count, source, offset + tag);
        }

        @Override
        public void sendrecv(final Object sendBuffer, final int sendOffset, final int sendCount, final int dest,
            final Object recvBuffer, final int recvOffset, final int recvCount, final int source, final int tag)
        {
            collectiveChannel.sendrecv(sendBuffer, sendOffset, sendCount, dest, recvBuffer, recvOffset, recvCount,
                source, offset + tag);
        }

        @Override
        public Object scratch(final Object like, final int count)
        {
            if (!keepsScratch || count > KEPT_SCRATCH || like instanceof MemorySegment)
            {
                return collectiveChannel.scratch(like, count);
            }
            // One kept array per element type, so calls alternating between types do not reallocate.
            final int slot = switch (like)
            {
                case int[] a -> 0;
                case long[] a -> 1;
                case float[] a -> 2;
                case double[] a -> 3;
                default -> 4;
            };
            final Object mine = kept[slot];
            if (mine != null && mine.getClass() == like.getClass() && Array.getLength(mine) >= count)
            {
                return mine;
            }
            final Object fresh = Array.newInstance(like.getClass().getComponentType(), Math.max(count, 64));
            kept[slot] = fresh;
            return fresh;
        }

        @Override
        public void track(final Schedule schedule)
        {
            collectiveChannel.track(schedule);
        }

        @Override
        public void progress()
        {
            collectiveChannel.progress();
        }
    }

    private int root(final int root)
    {
        return checkRank(root, "root");
    }

    /**
     * In checking mode (COHORT_CHECK=1), makes sure every rank called the same collective with the same count,
     * root, operation and element type, and raises on every rank with what differs, rather than corrupt data or
     * hang. Costs one small allgather per collective call, so it is off by default.
     */
    private void check(final String collective, final int count, final int root, final ReduceOperation op,
        final Object data)
    {
        if (op != null && count > 0 && count % op.unit() != 0)
        {
            // Always, not only in checking mode: the operation would be handed part of a value.
            throw new CohortException(collective + ": " + op + " combines values of " + op.unit()
                + " elements; the count " + count + " must be a multiple of " + op.unit());
        }
        if (!cohort.checking() || size == 1)
        {
            return;
        }
        final int[] mine = {collective.hashCode(), count, root,
            op == null ? -1 : op instanceof ReduceOp predefined ? predefined.ordinal() : -2,
            data == null ? 0 : data.getClass().getName().hashCode()};
        final int[] all = allgatherInts(mine);
        for (int r = 0; r < size; r++)
        {
            for (int field = 0; field < mine.length; field++)
            {
                if (all[r * mine.length + field] != mine[field])
                {
                    final String[] names = {"collective", "count", "root", "operation", "element type"};
                    throw new CohortException("COHORT_CHECK: rank " + rank + " called " + collective + " (count "
                        + count + ", root " + root + ", " + (op == null ? "no operation" : op) + ", "
                        + (data == null ? "no data" : data.getClass().getSimpleName()) + ") but rank " + r
                        + " called a collective with a different " + names[field]
                        + "; every rank must make the same collective calls in the same order");
                }
            }
        }
    }

    /**
     * COHORT_CHECK for gatherv, scatterv and allgatherv: each rank's own count must be the entry for it in the counts
     * the root (or, for allgatherv, every rank) passes. Every rank learns the first mismatch any rank found, so all of
     * them fail together instead of some waiting for data that never comes.
     *
     * @param root   the root, or -1 when every rank holds the counts
     * @param count  this rank's own count
     * @param counts the per-rank counts (read at the root only when there is one)
     */
    private void checkCounts(final String collective, final int root, final int count, final int[] counts)
    {
        if (!cohort.checking() || size == 1)
        {
            return;
        }
        final int[] own = allgatherInts(new int[] {count});
        int bad = -1;
        if (root < 0 || rank == root)
        {
            for (int r = 0; r < size && bad < 0; r++)
            {
                bad = counts[r] != own[r] ? r : -1;
            }
        }
        final int[] found = allgatherInts(new int[] {bad, bad < 0 ? 0 : counts[bad]});
        for (int q = 0; q < size; q++)
        {
            final int r = found[2 * q];
            if (r >= 0)
            {
                throw new CohortException("COHORT_CHECK: " + collective + ": rank " + q + " has counts[" + r + "] = "
                    + found[2 * q + 1] + " but rank " + r + " passes a count of " + own[r] + "; each rank's count "
                    + "must equal the counts[] entry for it");
            }
        }
    }

    /**
     * COHORT_CHECK for alltoallv: what rank p sends to rank q (p's sendCounts[q]) must be what q expects from p (q's
     * recvCounts[p]). Every rank learns the first mismatch any rank found.
     */
    private void checkAlltoallvCounts(final int[] sendCounts, final int[] recvCounts)
    {
        if (!cohort.checking() || size == 1)
        {
            return;
        }
        final int[] sent = allgatherInts(sendCounts);
        int bad = -1;
        for (int p = 0; p < size && bad < 0; p++)
        {
            bad = recvCounts[p] != sent[p * size + rank] ? p : -1;
        }
        final int[] found = allgatherInts(new int[] {bad, bad < 0 ? 0 : recvCounts[bad],
            bad < 0 ? 0 : sent[bad * size + rank]});
        for (int q = 0; q < size; q++)
        {
            final int p = found[3 * q];
            if (p >= 0)
            {
                throw new CohortException("COHORT_CHECK: alltoallv: rank " + q + " has recvCounts[" + p + "] = "
                    + found[3 * q + 1] + " but rank " + p + " has sendCounts[" + q + "] = " + found[3 * q + 2]
                    + "; they must be equal");
            }
        }
    }

    /** Checks per-rank counts and displacements against a buffer, naming the first bad entry. */
    private void layout(final String what, final int length, final int[] counts, final int[] displs)
    {
        if (counts == null || displs == null || counts.length != size || displs.length != size)
        {
            throw new CohortException(what + ": counts and displacements must have one entry per rank (" + size
                + "), got " + (counts == null ? "null" : counts.length) + " and "
                + (displs == null ? "null" : displs.length));
        }
        for (int r = 0; r < size; r++)
        {
            if (counts[r] < 0 || displs[r] < 0 || (long) displs[r] + counts[r] > length)
            {
                throw new CohortException(what + ": rank " + r + "'s block (count " + counts[r] + " at displacement "
                    + displs[r] + ") does not fit the buffer of " + length + " elements");
            }
        }
    }

    private int[] uniform(final int count)
    {
        final int[] counts = new int[size];
        Arrays.fill(counts, count);
        return counts;
    }

    private int[] blocks(final int count, final int offset)
    {
        final int[] displs = new int[size];
        for (int r = 0; r < size; r++)
        {
            displs[r] = offset + r * count;
        }
        return displs;
    }

    /** Checks the operation, and that it takes the data's type, before any rank sends anything. */
    private static ReduceOperation operation(final ReduceOperation op, final Object data)
    {
        if (op != null)
        {
            op.applyTo(data, 0, data, 0, 0);
        }
        if (op == null)
        {
            throw new CohortException("the reduction operation is null; use a ReduceOp such as ReduceOp.SUM, or a "
                + "ReduceOperation of your own");
        }
        return op;
    }

    /** Allgather of equal blocks, started: checks, then the algorithm the tuning picks. */
    private Schedule allgatherBlocks(final Object send, final int sendOffset, final int count, final Object recv,
        final int recvOffset)
    {
        checkAllgather("iallgather", send, sendOffset, count, recv, recvOffset);
        return Exchange.allgather(tuning, nextChannel(), send, sendOffset, count, recv, recvOffset).start();
    }

    /** A blocking allgather: through shared memory when tuned so and every rank shares this host, else by messages. */
    private void allgatherNow(final Object send, final int sendOffset, final int count, final Object recv,
        final int recvOffset)
    {
        if (tuning.sharedMemory(TunedCollective.ALLGATHER, (long) size * count * elementBytes(send))
            && sharedMemory() != null)
        {
            sharedMemory.allgather(send, sendOffset, count, recv, recvOffset);
            return;
        }
        Exchange.allgatherNow(tuning, blockingChannel(), send, sendOffset, count, recv, recvOffset);
    }

    /** A blocking all-to-all: through shared memory when tuned so and every rank shares this host, else by messages. */
    private void alltoallNow(final Object sendBuffer, final int sendOffset, final Object recv, final int recvOffset,
        final int count)
    {
        final Object send = unaliased(sendBuffer, recv);
        if (tuning.sharedMemory(TunedCollective.ALLTOALL, (long) count * elementBytes(send)) && sharedMemory() != null)
        {
            sharedMemory.alltoall(send, sendOffset, recv, recvOffset, count);
            return;
        }
        Exchange.alltoallNow(tuning, blockingChannel(), send, sendOffset, recv, recvOffset, count);
    }

    /** Checks an allgather of equal blocks: ranges, and in checking mode that every rank agrees. */
    private void checkAllgather(final String collective, final Object send, final int sendOffset, final int count,
        final Object recv, final int recvOffset)
    {
        final String type = send.getClass().getComponentType().getName();
        range(Array.getLength(send), sendOffset, count, type);
        if ((long) count * size > Integer.MAX_VALUE)
        {
            throw new CohortException("allgather of " + count + " elements from each of " + size + " ranks: at most "
                + Integer.MAX_VALUE + " elements per call; split the call");
        }
        range(Array.getLength(recv), recvOffset, count * size, type);
        check(collective, count, -1, null, send);
    }

    /** All-to-all of equal blocks, started: checks, then the algorithm the tuning picks. */
    private Schedule alltoallBlocks(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count)
    {
        checkAlltoall("ialltoall", send, sendOffset, recv, recvOffset, count);
        return Exchange.alltoall(tuning, nextChannel(), unaliased(send, recv), sendOffset, recv, recvOffset, count)
            .start();
    }

    /** Checks an all-to-all of equal blocks: ranges, and in checking mode that every rank agrees. */
    private void checkAlltoall(final String collective, final Object send, final int sendOffset, final Object recv,
        final int recvOffset, final int count)
    {
        final String type = send.getClass().getComponentType().getName();
        if ((long) count * size > Integer.MAX_VALUE)
        {
            throw new CohortException("alltoall of " + count + " elements to each of " + size + " ranks: at most "
                + Integer.MAX_VALUE + " elements per call; split the call");
        }
        range(Array.getLength(send), sendOffset, count * size, type);
        range(Array.getLength(recv), recvOffset, count * size, type);
        check(collective, count, -1, null, send);
    }

    /**
     * The send array of an all-to-all, or a copy of it when it is also the receive array (in place, as
     * MPI_IN_PLACE): blocks arrive before others leave, so one shared array would be overwritten before it is sent.
     */
    private static Object unaliased(final Object send, final Object recv)
    {
        if (send != recv)
        {
            return send;
        }
        return switch (send)
        {
            case byte[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            default -> throw new CohortException("all-to-all of " + send.getClass().getSimpleName());
        };
    }

    /** {@link #unaliased(Object, Object)} for segments: a heap copy of {@code send} when it overlaps {@code recv}. */
    private static MemorySegment unaliased(final MemorySegment send, final MemorySegment recv)
    {
        return send.asOverlappingSlice(recv).isPresent() ? MemorySegment.ofArray(send.toArray(ValueLayout.JAVA_BYTE))
            : send;
    }

    /** Reduce-scatter, started: checks, then {@code Reduction.reduceScatter}. */
    private Schedule reduceScatterStarted(final String collective, final Object send, final int sendOffset,
        final Object recv, final int recvOffset, final int[] counts, final ReduceOperation op)
    {
        return reduceScatterSchedule(collective, send, sendOffset, recv, recvOffset, counts, op).start();
    }

    /** The reduce-scatter of arrays, checked and not yet started. */
    private Schedule reduceScatterSchedule(final String collective, final Object send, final int sendOffset,
        final Object recv, final int recvOffset, final int[] counts, final ReduceOperation op)
    {
        final int total = reduceScatterTotal(counts);
        final String type = send.getClass().getComponentType().getName();
        range(Array.getLength(send), sendOffset, total, type);
        range(Array.getLength(recv), recvOffset, counts[rank], type);
        final ReduceOperation operation = operation(op, send);
        check(collective, total, -1, operation, send);
        return Reduction.reduceScatter(tuning, nextChannel(), send, sendOffset, recv, recvOffset, counts.clone(),
            operation);
    }

    /** The number of elements a reduce-scatter with these per-rank counts combines, after checking the counts. */
    private int reduceScatterTotal(final int[] counts)
    {
        if (counts == null || counts.length != size)
        {
            throw new CohortException("reduceScatter: counts must have one entry per rank (" + size + "), got "
                + (counts == null ? "null" : counts.length));
        }
        long total = 0;
        for (int r = 0; r < size; r++)
        {
            if (counts[r] < 0)
            {
                throw new CohortException("reduceScatter: counts[" + r + "] is " + counts[r] + "; counts must be >= 0");
            }
            total += counts[r];
        }
        if (total > Integer.MAX_VALUE)
        {
            throw new CohortException("reduceScatter of " + total + " elements: at most " + Integer.MAX_VALUE
                + " per call; split the call");
        }
        return (int) total;
    }

    // ------------------------------------------------------------------------------------------- collectives on
    // segments and ByteBuffers (bytes; a ByteBuffer's bytes are those from its position to its limit)

    /** A segment's size as a count of bytes for one collective call. */
    private static int bytesOf(final MemorySegment segment, final String what)
    {
        if (segment.byteSize() > Integer.MAX_VALUE)
        {
            throw new CohortException(what + " of a segment of " + segment.byteSize() + " bytes: at most "
                + Integer.MAX_VALUE + " bytes per call; split the call");
        }
        return (int) segment.byteSize();
    }

    /**
     * {@link #roomFor} for a block per rank of this communicator, making the message only when it is needed, so that
     * the check allocates nothing.
     */
    private void roomForBlocks(final MemorySegment recv, final long block, final String collective,
        final String direction)
    {
        if (recv == null || recv.byteSize() < block * size)
        {
            roomFor(recv, block * size, collective + " of " + block + " bytes " + direction + " each of " + size
                + " ranks");
        }
        writable(recv);
    }

    private static MemorySegment roomFor(final MemorySegment recv, final long bytes, final String what)
    {
        if (recv == null || recv.byteSize() < bytes)
        {
            throw new CohortException(what + ": the receive segment needs " + bytes + " bytes, it has "
                + (recv == null ? "null" : recv.byteSize() + " bytes"));
        }
        return writable(recv);
    }

    /**
     * Starts {@link #bcast(MemorySegment, int)} without waiting (MPI_Ibcast); the segment must not be touched until
     * the request completes. Collective.
     *
     * @param buf  the data at the root; where it lands on the other ranks (the same size everywhere)
     * @param root the rank that has the data
     * @return the request
     */
    public Request ibcast(final MemorySegment buf, final int root)
    {
        final int bytes = bytesOf(buf, "ibcast");
        check("ibcast", bytes, root, null, SEGMENT_BYTES);
        return Broadcast.bcast(tuning, nextChannel(), writable(buf), 0, bytes, root(root)).start();
    }

    /**
     * Sends the bytes of a ByteBuffer (position to limit) from the root to every rank (MPI_Bcast); see
     * {@link #bcast(MemorySegment, int)}. The buffer's position and limit are left alone. Collective.
     *
     * @param buf  the data at the root; where it lands on the other ranks
     * @param root the rank that has the data
     */
    public void bcast(final ByteBuffer buf, final int root)
    {
        bcast(MemorySegment.ofBuffer(buf), root);
    }

    /**
     * Starts {@link #bcast(ByteBuffer, int)} without waiting (MPI_Ibcast). Collective.
     *
     * @param buf  the data at the root; where it lands on the other ranks
     * @param root the rank that has the data
     * @return the request
     */
    public Request ibcast(final ByteBuffer buf, final int root)
    {
        return ibcast(MemorySegment.ofBuffer(buf), root);
    }

    /**
     * Gives every rank every rank's bytes (MPI_Allgather): rank r's {@code send} lands at byte
     * {@code r * send.byteSize()} of every rank's {@code recv}. The algorithm is chosen by size, see
     * {@link CollectiveTuning#allgather}. When every rank's block is memory from {@link Cohort#allocate}
     * on one host and above 4 KiB (64 KiB if the host's ranks outnumber its cores), each block is copied once,
     * straight out of its owner's memory. Collective.
     *
     * @param send this rank's block (the same size on every rank)
     * @param recv room for {@code size() * send.byteSize()} bytes
     */
    public void allgather(final MemorySegment send, final MemorySegment recv)
    {
        final int bytes = checkAllgather("allgather", send, recv);
        if (tuning.sharedMemory(TunedCollective.ALLGATHER, (long) size * bytes) && sharedMemory() != null)
        {
            sharedMemory.allgather(send, 0, bytes, recv, 0);
            return;
        }
        Exchange.allgather(tuning, nextChannel(), send, 0, bytes, recv, 0).start().await();
    }

    /**
     * Starts {@link #allgather(MemorySegment, MemorySegment)} without waiting (MPI_Iallgather). Collective.
     *
     * @param send this rank's block (the same size on every rank)
     * @param recv room for {@code size() * send.byteSize()} bytes
     * @return the request
     */
    public Request iallgather(final MemorySegment send, final MemorySegment recv)
    {
        final int bytes = checkAllgather("iallgather", send, recv);
        return Exchange.allgather(tuning, nextChannel(), send, 0, bytes, recv, 0).start();
    }

    /** Checks an allgather of segments (sizes, and in checking mode that every rank agrees); its bytes per rank. */
    private int checkAllgather(final String collective, final MemorySegment send, final MemorySegment recv)
    {
        final int bytes = bytesOf(send, "allgather");
        roomForBlocks(recv, bytes, "allgather", "from");
        bytesOf(recv, "allgather");
        check(collective, bytes, -1, null, SEGMENT_BYTES);
        return bytes;
    }

    /**
     * {@link #allgather(MemorySegment, MemorySegment)} on ByteBuffers (position to limit). Collective.
     *
     * @param send this rank's block
     * @param recv room for {@code size()} blocks
     */
    public void allgather(final ByteBuffer send, final ByteBuffer recv)
    {
        allgather(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv));
    }

    /**
     * {@link #iallgather(MemorySegment, MemorySegment)} on ByteBuffers (position to limit). Collective.
     *
     * @param send this rank's block
     * @param recv room for {@code size()} blocks
     * @return the request
     */
    public Request iallgather(final ByteBuffer send, final ByteBuffer recv)
    {
        return iallgather(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv));
    }

    /**
     * Sends block q of {@code send} to rank q and puts rank r's block for this rank at block r of {@code recv}
     * (MPI_Alltoall); a block is {@code send.byteSize() / size()} bytes. The algorithm is chosen by size, see
     * {@link CollectiveTuning#alltoall}. When every rank's {@code send} is memory from {@link Cohort#allocate} on one
     * host and blocks are above 4 KiB (64 KiB if the host's ranks outnumber its cores), each block is copied once,
     * straight out of its sender's memory. Collective.
     *
     * @param send {@code size()} blocks
     * @param recv room for {@code size()} blocks; may overlap {@code send} (in place: the blocks are sent from a copy)
     */
    public void alltoall(final MemorySegment send, final MemorySegment recv)
    {
        final int block = checkAlltoall("alltoall", send, recv);
        final MemorySegment from = unaliased(send, recv);
        if (tuning.sharedMemory(TunedCollective.ALLTOALL, block) && sharedMemory() != null)
        {
            sharedMemory.alltoall(from, 0, recv, 0, block);
            return;
        }
        Exchange.alltoall(tuning, nextChannel(), from, 0, recv, 0, block).start().await();
    }

    /**
     * Starts {@link #alltoall(MemorySegment, MemorySegment)} without waiting (MPI_Ialltoall). Collective.
     *
     * @param send {@code size()} blocks
     * @param recv room for {@code size()} blocks; may overlap {@code send} (in place: the blocks are sent from a copy)
     * @return the request
     */
    public Request ialltoall(final MemorySegment send, final MemorySegment recv)
    {
        final int block = checkAlltoall("ialltoall", send, recv);
        return Exchange.alltoall(tuning, nextChannel(), unaliased(send, recv), 0, recv, 0, block).start();
    }

    /** Checks an all-to-all of segments (sizes, and in checking mode that every rank agrees); its bytes per block. */
    private int checkAlltoall(final String collective, final MemorySegment send, final MemorySegment recv)
    {
        final int bytes = bytesOf(send, "alltoall");
        if (bytes % size != 0)
        {
            throw new CohortException("alltoall: the send segment's " + bytes + " bytes do not split into " + size
                + " equal blocks; give it size() * block bytes");
        }
        roomForBlocks(recv, bytes / size, "alltoall", "to");
        check(collective, bytes / size, -1, null, SEGMENT_BYTES);
        return bytes / size;
    }

    /**
     * {@link #alltoall(MemorySegment, MemorySegment)} on ByteBuffers (position to limit). Collective.
     *
     * @param send {@code size()} blocks
     * @param recv room for {@code size()} blocks
     */
    public void alltoall(final ByteBuffer send, final ByteBuffer recv)
    {
        alltoall(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv));
    }

    /**
     * {@link #ialltoall(MemorySegment, MemorySegment)} on ByteBuffers (position to limit). Collective.
     *
     * @param send {@code size()} blocks
     * @param recv room for {@code size()} blocks
     * @return the request
     */
    public Request ialltoall(final ByteBuffer send, final ByteBuffer recv)
    {
        return ialltoall(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv));
    }

    /**
     * Collects every rank's bytes at the root (MPI_Gather): rank r's {@code send} lands at byte
     * {@code r * send.byteSize()} of the root's {@code recv}. Collective.
     *
     * @param send this rank's block (the same size on every rank)
     * @param recv at the root, room for {@code size()} blocks (ignored elsewhere, may be null)
     * @param root the gathering rank
     */
    public void gather(final MemorySegment send, final MemorySegment recv, final int root)
    {
        final int bytes = bytesOf(send, "gather");
        if (rank == root(root))
        {
            roomForBlocks(recv, bytes, "gather", "from");
        }
        check("gather", bytes, root, null, SEGMENT_BYTES);
        Exchange.linearGatherv(nextChannel(), send, 0, bytes, recv, uniform(bytes), blocks(bytes, 0), root)
            .start().await();
    }

    /**
     * {@link #gather(MemorySegment, MemorySegment, int)} on ByteBuffers (position to limit). Collective.
     *
     * @param send this rank's block
     * @param recv at the root, room for {@code size()} blocks (ignored elsewhere, may be null)
     * @param root the gathering rank
     */
    public void gather(final ByteBuffer send, final ByteBuffer recv, final int root)
    {
        gather(segment(send), segment(recv), root);
    }

    /**
     * Hands out the root's blocks, block r to rank r (MPI_Scatter); a block is {@code recv.byteSize()} bytes.
     * Collective.
     *
     * @param send at the root, {@code size()} blocks (ignored elsewhere, may be null)
     * @param recv where this rank's block lands (the same size on every rank)
     * @param root the scattering rank
     */
    public void scatter(final MemorySegment send, final MemorySegment recv, final int root)
    {
        final int bytes = bytesOf(writable(recv), "scatter");
        if (rank == root(root) && (send == null || send.byteSize() < (long) bytes * size))
        {
            throw new CohortException("scatter of " + bytes + " bytes to each of " + size + " ranks: the root's "
                + "send segment needs " + (long) bytes * size + " bytes, it has "
                + (send == null ? "null" : send.byteSize() + " bytes"));
        }
        check("scatter", bytes, root, null, SEGMENT_BYTES);
        Exchange.linearScatterv(nextChannel(), send, uniform(bytes), blocks(bytes, 0), recv, 0, bytes, root)
            .start().await();
    }

    /**
     * {@link #scatter(MemorySegment, MemorySegment, int)} on ByteBuffers (position to limit). Collective.
     *
     * @param send at the root, {@code size()} blocks (ignored elsewhere, may be null)
     * @param recv where this rank's block lands
     * @param root the scattering rank
     */
    public void scatter(final ByteBuffer send, final ByteBuffer recv, final int root)
    {
        scatter(segment(send), segment(recv), root);
    }

    /**
     * Starts {@link #gather(MemorySegment, MemorySegment, int)} without waiting (MPI_Igather); the segments must not
     * be touched until the request completes. Collective.
     *
     * @param send this rank's block (the same size on every rank)
     * @param recv at the root, room for {@code size()} blocks (ignored elsewhere, may be null)
     * @param root the gathering rank
     * @return the request
     */
    public Request igather(final MemorySegment send, final MemorySegment recv, final int root)
    {
        final int bytes = bytesOf(send, "igather");
        return igatherv(send, recv, uniform(bytes), blocks(bytes, 0), root);
    }

    /**
     * Starts {@link #scatter(MemorySegment, MemorySegment, int)} without waiting (MPI_Iscatter). Collective.
     *
     * @param send at the root, {@code size()} blocks (ignored elsewhere, may be null)
     * @param recv where this rank's block lands (the same size on every rank)
     * @param root the scattering rank
     * @return the request
     */
    public Request iscatter(final MemorySegment send, final MemorySegment recv, final int root)
    {
        final int bytes = bytesOf(writable(recv), "iscatter");
        return iscatterv(send, uniform(bytes), blocks(bytes, 0), recv, root);
    }

    /**
     * Collects a block of any size from every rank at the root (MPI_Gatherv), in bytes: rank r's {@code send}
     * lands at byte {@code displs[r]} of the root's {@code recv}, and must be {@code counts[r]} bytes. Collective.
     *
     * @param send   this rank's block
     * @param recv   at the root, room for every block (ignored elsewhere, may be null)
     * @param counts at the root, each rank's block size in bytes (may be null elsewhere)
     * @param displs at the root, where each rank's block lands, in bytes (may be null elsewhere)
     * @param root   the gathering rank
     */
    public void gatherv(final MemorySegment send, final MemorySegment recv, final int[] counts, final int[] displs,
        final int root)
    {
        gathervRequest("gatherv", send, recv, counts, displs, root).await();
    }

    /**
     * Starts {@link #gatherv(MemorySegment, MemorySegment, int[], int[], int)} without waiting (MPI_Igatherv).
     * Collective.
     *
     * @param send   this rank's block
     * @param recv   at the root, room for every block (ignored elsewhere, may be null)
     * @param counts at the root, each rank's block size in bytes
     * @param displs at the root, where each rank's block lands, in bytes
     * @param root   the gathering rank
     * @return the request
     */
    public Request igatherv(final MemorySegment send, final MemorySegment recv, final int[] counts,
        final int[] displs, final int root)
    {
        return gathervRequest("igatherv", send, recv, counts, displs, root);
    }

    /** {@link #igatherv} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request gathervRequest(final String collective, final MemorySegment send, final MemorySegment recv,
        final int[] counts, final int[] displs, final int root)
    {
        final int bytes = bytesOf(send, "gatherv");
        if (rank == root(root))
        {
            layout("gatherv", recv == null ? 0 : bytesOf(writable(recv), "gatherv"), counts, displs);
            if (counts[root] != bytes)
            {
                throw new CohortException("gatherv: the root sends " + bytes + " bytes but counts[" + root + "] is "
                    + counts[root]);
            }
        }
        check(collective, -1, root, null, SEGMENT_BYTES);
        checkCounts(collective, root, bytes, counts);
        return Exchange.linearGatherv(nextChannel(), send, 0, bytes, recv, counts, displs, root).start();
    }

    /**
     * Hands out blocks of any size from the root (MPI_Scatterv), in bytes: rank r gets {@code counts[r]} bytes from
     * byte {@code displs[r]} of the root's {@code send}, into its {@code recv}, which must be that size.
     * Collective.
     *
     * @param send   at the root, every block (ignored elsewhere, may be null)
     * @param counts at the root, each rank's block size in bytes (may be null elsewhere)
     * @param displs at the root, where each rank's block starts, in bytes (may be null elsewhere)
     * @param recv   where this rank's block lands
     * @param root   the scattering rank
     */
    public void scatterv(final MemorySegment send, final int[] counts, final int[] displs, final MemorySegment recv,
        final int root)
    {
        scattervRequest("scatterv", send, counts, displs, recv, root).await();
    }

    /**
     * Starts {@link #scatterv(MemorySegment, int[], int[], MemorySegment, int)} without waiting (MPI_Iscatterv).
     * Collective.
     *
     * @param send   at the root, every block (ignored elsewhere, may be null)
     * @param counts at the root, each rank's block size in bytes
     * @param displs at the root, where each rank's block starts, in bytes
     * @param recv   where this rank's block lands
     * @param root   the scattering rank
     * @return the request
     */
    public Request iscatterv(final MemorySegment send, final int[] counts, final int[] displs,
        final MemorySegment recv, final int root)
    {
        return scattervRequest("iscatterv", send, counts, displs, recv, root);
    }

    /** {@link #iscatterv} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request scattervRequest(final String collective, final MemorySegment send, final int[] counts,
        final int[] displs, final MemorySegment recv, final int root)
    {
        final int bytes = bytesOf(writable(recv), "scatterv");
        if (rank == root(root))
        {
            layout("scatterv", send == null ? 0 : bytesOf(send, "scatterv"), counts, displs);
        }
        check(collective, -1, root, null, SEGMENT_BYTES);
        checkCounts(collective, root, bytes, counts);
        return Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, 0, bytes, root).start();
    }

    /**
     * Gives every rank every rank's block, of any size (MPI_Allgatherv), in bytes: rank r's {@code send} lands at
     * byte {@code displs[r]} of every rank's {@code recv} and must be {@code counts[r]} bytes (ring algorithm).
     * When every rank's {@code send} is memory from {@link Cohort#allocate} on one host, each block is copied once,
     * straight out of its owner's memory. Collective.
     *
     * @param send   this rank's block
     * @param recv   room for every block
     * @param counts each rank's block size in bytes, the same on every rank
     * @param displs where each rank's block lands, in bytes
     */
    public void allgatherv(final MemorySegment send, final MemorySegment recv, final int[] counts,
        final int[] displs)
    {
        final int bytes = checkAllgatherv("allgatherv", send, recv, counts, displs);
        // Every rank sees the same counts, host and tuning, so all of them try the shared memory path or none.
        if (tuning.sharedMemory(TunedCollective.ALLGATHER, total(counts)) && sharedMemory() != null
            && sharedMemory.allgathervDirect(send, recv, counts, displs))
        {
            return;
        }
        Exchange.ringAllgatherv(nextChannel(), send, 0, bytes, recv, counts, displs).start().await();
    }

    /**
     * Starts {@link #allgatherv(MemorySegment, MemorySegment, int[], int[])} without waiting (MPI_Iallgatherv).
     * Collective.
     *
     * @param send   this rank's block
     * @param recv   room for every block
     * @param counts each rank's block size in bytes
     * @param displs where each rank's block lands, in bytes
     * @return the request
     */
    public Request iallgatherv(final MemorySegment send, final MemorySegment recv, final int[] counts,
        final int[] displs)
    {
        return allgathervRequest("iallgatherv", send, recv, counts, displs);
    }

    /** {@link #iallgatherv} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request allgathervRequest(final String collective, final MemorySegment send, final MemorySegment recv,
        final int[] counts, final int[] displs)
    {
        final int bytes = checkAllgatherv(collective, send, recv, counts, displs);
        return Exchange.ringAllgatherv(nextChannel(), send, 0, bytes, recv, counts, displs).start();
    }

    /** The bytes of all blocks together, of counts already checked. */
    private static long total(final int[] counts)
    {
        long total = 0;
        for (final int count : counts)
        {
            total += count;
        }
        return total;
    }

    /** Checks an allgatherv of segments (layout, and in checking mode that every rank agrees); its bytes. */
    private int checkAllgatherv(final String collective, final MemorySegment send, final MemorySegment recv,
        final int[] counts, final int[] displs)
    {
        final int bytes = bytesOf(send, "allgatherv");
        layout("allgatherv", bytesOf(writable(recv), "allgatherv"), counts, displs);
        if (counts[rank] != bytes)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + bytes + " bytes but counts[" + rank
                + "] is " + counts[rank]);
        }
        check(collective, -1, -1, null, SEGMENT_BYTES);
        checkCounts(collective, -1, bytes, counts);
        return bytes;
    }

    /**
     * Sends a block of any size to every rank and receives one from each (MPI_Alltoallv), in bytes: the block for
     * rank q is {@code sendCounts[q]} bytes at {@code sendDispls[q]}; the one from rank p lands at
     * {@code recvDispls[p]} and is {@code recvCounts[p]} bytes (pairwise exchange). Collective.
     *
     * @param send       every outgoing block
     * @param sendCounts bytes to each rank
     * @param sendDispls where each outgoing block starts
     * @param recv       room for every incoming block
     * @param recvCounts bytes from each rank
     * @param recvDispls where each incoming block lands
     */
    public void alltoallv(final MemorySegment send, final int[] sendCounts, final int[] sendDispls,
        final MemorySegment recv, final int[] recvCounts, final int[] recvDispls)
    {
        alltoallvRequest("alltoallv", send, sendCounts, sendDispls, recv, recvCounts, recvDispls).await();
    }

    /**
     * Starts {@link #alltoallv(MemorySegment, int[], int[], MemorySegment, int[], int[])} without waiting
     * (MPI_Ialltoallv). Collective.
     *
     * @param send       every outgoing block
     * @param sendCounts bytes to each rank
     * @param sendDispls where each outgoing block starts
     * @param recv       room for every incoming block
     * @param recvCounts bytes from each rank
     * @param recvDispls where each incoming block lands
     * @return the request
     */
    public Request ialltoallv(final MemorySegment send, final int[] sendCounts, final int[] sendDispls,
        final MemorySegment recv, final int[] recvCounts, final int[] recvDispls)
    {
        return alltoallvRequest("ialltoallv", send, sendCounts, sendDispls, recv, recvCounts, recvDispls);
    }

    /** {@link #ialltoallv} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request alltoallvRequest(final String collective, final MemorySegment send, final int[] sendCounts,
        final int[] sendDispls, final MemorySegment recv, final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", bytesOf(send, "alltoallv"), sendCounts, sendDispls);
        layout("alltoallv receive", bytesOf(writable(recv), "alltoallv"), recvCounts, recvDispls);
        check(collective, -1, -1, null, SEGMENT_BYTES);
        checkAlltoallvCounts(sendCounts, recvCounts);
        return Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv,
            recvCounts, recvDispls)
            .start();
    }

    /**
     * Allreduce of the numbers in a segment (MPI_Allreduce): {@code send.byteSize() / element.byteSize()} values
     * of the element's type (byte, short, char, int, long, float or double, any byte order) are combined with
     * {@code op} and every rank gets the result in {@code recv} (may be {@code send}). The values are combined on
     * the heap: they are copied in and the result copied out, around the allreduce the tuning picks for the count.
     * Byte and short values are combined as sign-extended ints and char values as zero-extended ones, then narrowed:
     * sums and products wrap as in the narrow type, MIN and MAX order chars unsigned, and a user-defined operation
     * for them is one on ints ({@link ReduceOperation#ofInts}). Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands, at least as large as {@code send}
     * @param element the values' layout: {@code ValueLayout.JAVA_BYTE}, {@code JAVA_SHORT}, {@code JAVA_CHAR},
     *                {@code JAVA_INT}, {@code JAVA_LONG}, {@code JAVA_FLOAT} or {@code JAVA_DOUBLE} (aligned or not,
     *                either byte order)
     * @param op      the operation
     */
    public void allreduce(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        if (!allreduceThroughSharedMemory(send, recv, element, op))
        {
            allreduceRequest("allreduce", send, recv, element, op).await();
        }
    }

    /**
     * The allreduce of segments through shared memory, where it applies: int, long, float or double values and
     * every rank on this host. Up to {@link SharedMemoryCollectives#ALL_READ_BYTES}, as for arrays; above, in one copy
     * when (as the first step finds out, on every rank alike) every rank's segments are from {@link Cohort#allocate},
     * else through copies of the values in arrays.
     *
     * @return whether it was done
     */
    private boolean allreduceThroughSharedMemory(final MemorySegment send, final MemorySegment recv,
        final ValueLayout element, final ReduceOperation op)
    {
        final Object empty = switch (element)
        {
            case ValueLayout.OfInt ignored -> NO_INTS;
            case ValueLayout.OfLong ignored -> NO_LONGS;
            case ValueLayout.OfFloat ignored -> NO_FLOATS;
            case ValueLayout.OfDouble ignored -> NO_DOUBLES;
            case null, default -> null;
        };
        final long bytes = send.byteSize();
        if (empty == null || bytes == 0 || bytes % element.byteSize() != 0
            || !tuning.sharedMemory(TunedCollective.ALLREDUCE, bytes) || sharedMemory() == null)
        {
            return false;
        }
        final int count = bytesOf(send, "allreduce") / (int) element.byteSize();
        if (recv == null || recv.byteSize() < bytes)
        {
            roomFor(recv, bytes, "allreduce of " + bytes + " bytes");
        }
        final ReduceOperation operation = operation(op, empty);
        check("allreduce", count, -1, operation, empty);
        if (bytes <= SharedMemoryCollectives.ALL_READ_BYTES)
        {
            // Small: the same call as for arrays, through two kept arrays (what it copies costs less than a step;
            // two, so that this rank's own part is read from the first rather than back from its slot).
            final Object values = segmentScratch(empty, count);
            if (smallSum == null || smallSum.getClass() != values.getClass())
            {
                smallSum = Array.newInstance(values.getClass().componentType(), SMALL_SEGMENT_VALUES);
            }
            MemorySegment.copy(send, element, 0, values, 0, count);
            sharedMemory.allreduce(values, 0, smallSum, 0, count, operation, Reduction.grain(operation, count));
            MemorySegment.copy(smallSum, 0, recv, element, 0, count);
            return true;
        }
        final int grain = Reduction.grain(operation, count);
        if (!sharedMemory.allreduceDirect(send, recv, element, count, operation, grain))
        {
            // Some rank's segments are not shared memory: every rank reduces a copy of its values instead.
            final Object values = segmentScratch(empty, count);
            MemorySegment.copy(send, element, 0, values, 0, count);
            sharedMemory.allreduce(values, 0, values, 0, count, operation, grain);
            MemorySegment.copy(values, 0, recv, element, 0, count);
        }
        return true;
    }

    /**
     * An array of the type of {@code empty} with room for {@code count} values, kept for the next calls (as large
     * as the largest such call so far: a new array per large call costs more in garbage collection than the call).
     */
    private Object segmentScratch(final Object empty, final int count)
    {
        if (segmentScratch == null || segmentScratch.getClass() != empty.getClass()
            || Array.getLength(segmentScratch) < count)
        {
            segmentScratch = Array.newInstance(empty.getClass().componentType(),
                Math.max(count, SMALL_SEGMENT_VALUES));
        }
        return segmentScratch;
    }

    /**
     * Starts {@link #allreduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} without waiting
     * (MPI_Iallreduce); the segments must not be touched until the request completes. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands, at least as large as {@code send}
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @return the request
     */
    public Request iallreduce(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        return allreduceRequest("iallreduce", send, recv, element, op);
    }

    /** {@link #iallreduce} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request allreduceRequest(final String collective, final MemorySegment send, final MemorySegment recv,
        final ValueLayout element, final ReduceOperation op)
    {
        final Object values = valuesOf(send, element, "allreduce");
        final int count = java.lang.reflect.Array.getLength(values);
        roomFor(recv, send.byteSize(), "allreduce of " + send.byteSize() + " bytes");
        final ReduceOperation operation = operation(op, values);
        check(collective, count, -1, operation, values);
        return Reduction.allreduce(tuning, nextChannel(), values, 0, values, 0, count, operation)
            .then(() -> store(values, recv, element, count))
            .start();
    }

    /**
     * Allreduce of the numbers in direct buffers (MPI_Allreduce), as
     * {@link #allreduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} does for segments: the bytes
     * from each buffer's position to its limit. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands on every rank
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     */
    public void allreduce(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op)
    {
        allreduce(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv), element, op);
    }

    /**
     * Starts {@link #allreduce(ByteBuffer, ByteBuffer, ValueLayout, ReduceOperation)} without waiting
     * (MPI_Iallreduce). Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands on every rank
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @return the request
     */
    public Request iallreduce(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op)
    {
        return iallreduce(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv), element, op);
    }

    /**
     * Reduce of the numbers in a segment to one rank (MPI_Reduce), typed and combined on the heap as
     * {@link #allreduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} does. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands at the root, at least as large as {@code send} (may be {@code send};
     *                ignored, and may be null, elsewhere)
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @param root    the rank that gets the result
     */
    public void reduce(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op, final int root)
    {
        reduceRequest("reduce", send, recv, element, op, root).await();
    }

    /**
     * Starts {@link #reduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation, int)} without waiting
     * (MPI_Ireduce); the segments must not be touched until the request completes. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands at the root (ignored elsewhere)
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @param root    the rank that gets the result
     * @return the request
     */
    public Request ireduce(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op, final int root)
    {
        return reduceRequest("ireduce", send, recv, element, op, root);
    }

    /** {@link #ireduce} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request reduceRequest(final String collective, final MemorySegment send, final MemorySegment recv,
        final ValueLayout element, final ReduceOperation op, final int root)
    {
        final Object values = valuesOf(send, element, "reduce");
        final int count = java.lang.reflect.Array.getLength(values);
        final boolean atRoot = rank == root(root);
        if (atRoot)
        {
            roomFor(recv, send.byteSize(), "reduce of " + send.byteSize() + " bytes");
        }
        final ReduceOperation operation = operation(op, values);
        check(collective, count, root, operation, values);
        return Reduction.binomialReduce(nextChannel(), values, 0, values, 0, count, operation, root)
            .then(() ->
            {
                if (atRoot)
                {
                    store(values, recv, element, count);
                }
            })
            .start();
    }

    /**
     * Reduce of the numbers in direct buffers to one rank (MPI_Reduce); see
     * {@link #reduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation, int)}. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands at the root (may be null elsewhere)
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @param root    the rank that gets the result
     */
    public void reduce(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op, final int root)
    {
        reduce(segment(send), segment(recv), element, op, root);
    }

    /**
     * {@link #ireduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation, int)} on direct buffers (position
     * to limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the result lands at the root (may be null elsewhere)
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @param root    the rank that gets the result
     * @return the request
     */
    public Request ireduce(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op, final int root)
    {
        return ireduce(segment(send), segment(recv), element, op, root);
    }

    /**
     * Inclusive prefix reduction of the numbers in a segment (MPI_Scan): rank r gets ranks 0..r combined, in rank
     * order; typed and combined on the heap. Collective.
     *
     * @param send    this rank's values
     * @param recv    where the prefix lands, at least as large as {@code send} (may be {@code send})
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     */
    public void scan(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        scanRequest("scan", send, recv, element, op, true).await();
    }

    /**
     * Exclusive prefix reduction of the numbers in a segment (MPI_Exscan): rank r gets ranks 0..r-1 combined;
     * rank 0's {@code recv} is left as it was (MPI leaves it undefined). Collective.
     *
     * @param send    this rank's values
     * @param recv    where the prefix lands, at least as large as {@code send}
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     */
    public void exscan(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        scanRequest("exscan", send, recv, element, op, false).await();
    }

    /**
     * Starts {@link #exscan(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} without waiting
     * (MPI_Iexscan). Collective.
     *
     * @param send    this rank's values
     * @param recv    where the prefix lands
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     * @return the request
     */
    public Request iexscan(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        return iscan(send, recv, element, op, false);
    }

    /**
     * {@link #scan(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} on direct buffers (position to
     * limit). Collective.
     *
     * @param send    this rank's values
     * @param recv    where the prefix lands (may be {@code send})
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     */
    public void scan(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op)
    {
        scan(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv), element, op);
    }

    /**
     * {@link #exscan(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} on direct buffers (position to
     * limit). Collective.
     *
     * @param send    this rank's values
     * @param recv    where the prefix lands
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     */
    public void exscan(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op)
    {
        exscan(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv), element, op);
    }

    /**
     * {@link #iscan(MemorySegment, MemorySegment, ValueLayout, ReduceOperation, boolean)} on direct buffers (position
     * to limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send      this rank's values
     * @param recv      where the prefix lands
     * @param element   the values' layout (byte, short, char, int, long, float or double)
     * @param op        the operation
     * @param inclusive true for scan, false for exscan
     * @return the request
     */
    public Request iscan(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op, final boolean inclusive)
    {
        return iscan(MemorySegment.ofBuffer(send), MemorySegment.ofBuffer(recv), element, op, inclusive);
    }

    /**
     * Starts {@link #scan(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} or
     * {@link #exscan(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} without waiting (MPI_Iscan,
     * MPI_Iexscan). Collective.
     *
     * @param send      this rank's values
     * @param recv      where the prefix lands
     * @param element   the values' layout (byte, short, char, int, long, float or double)
     * @param op        the operation
     * @param inclusive true for scan, false for exscan
     * @return the request
     */
    public Request iscan(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op, final boolean inclusive)
    {
        return scanRequest(inclusive ? "iscan" : "iexscan", send, recv, element, op, inclusive);
    }

    /** {@link #iscan} and the blocking scan and exscan, named in COHORT_CHECK's messages by {@code collective}. */
    private Request scanRequest(final String collective, final MemorySegment send, final MemorySegment recv,
        final ValueLayout element, final ReduceOperation op, final boolean inclusive)
    {
        final String what = inclusive ? "scan" : "exscan";
        final Object values = valuesOf(send, element, what);
        final int count = java.lang.reflect.Array.getLength(values);
        roomFor(recv, send.byteSize(), what + " of " + send.byteSize() + " bytes");
        final Object prefix = java.lang.reflect.Array.newInstance(values.getClass().getComponentType(), count);
        final ReduceOperation operation = operation(op, values);
        check(collective, count, -1, operation, values);
        final boolean lands = inclusive || rank > 0;
        return Reduction.recursiveDoublingScan(nextChannel(), values, 0, prefix, 0, count, operation, inclusive)
            .then(() ->
            {
                if (lands)
                {
                    store(prefix, recv, element, count);
                }
            })
            .start();
    }

    /**
     * Reduce-scatter of the numbers in a segment (MPI_Reduce_scatter): every rank's values are combined with
     * {@code op} and rank r gets {@code counts[r]} values of the result, in rank order, typed and combined on the
     * heap as {@link #allreduce(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} does. Collective.
     *
     * @param send    this rank's values: at least the sum of {@code counts}
     * @param recv    where this rank's {@code counts[rank()]} values land
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param counts  each rank's number of values, the same on every rank
     * @param op      the operation
     */
    public void reduceScatter(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final int[] counts, final ReduceOperation op)
    {
        reduceScatterRequest("reduceScatter", send, recv, element, counts, op).await();
    }

    /**
     * Starts {@link #reduceScatter(MemorySegment, MemorySegment, ValueLayout, int[], ReduceOperation)} without
     * waiting (MPI_Ireduce_scatter); the segments must not be touched until the request completes. Collective.
     *
     * @param send    this rank's values: at least the sum of {@code counts}
     * @param recv    where this rank's {@code counts[rank()]} values land
     * @param element the values' layout
     * @param counts  each rank's number of values, the same on every rank
     * @param op      the operation
     * @return the request
     */
    public Request ireduceScatter(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final int[] counts, final ReduceOperation op)
    {
        return reduceScatterRequest("ireduceScatter", send, recv, element, counts, op);
    }

    /** {@link #ireduceScatter} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request reduceScatterRequest(final String collective, final MemorySegment send, final MemorySegment recv,
        final ValueLayout element, final int[] counts, final ReduceOperation op)
    {
        final Object values = valuesOf(send, element, "reduceScatter");
        final int total = reduceScatterTotal(counts);
        final int mine = counts[rank];
        if (java.lang.reflect.Array.getLength(values) < total)
        {
            throw new CohortException("reduceScatter: the send segment holds " + java.lang.reflect.Array.getLength(
                values) + " values of " + element + " but counts add up to " + total);
        }
        roomFor(recv, mine * element.byteSize(), "reduceScatter of " + mine + " values to rank " + rank);
        final Object block = java.lang.reflect.Array.newInstance(values.getClass().getComponentType(), mine);
        return reduceScatterSchedule(collective, values, 0, block, 0, counts, op)
            .then(() -> store(block, recv, element, mine))
            .start();
    }

    /**
     * Reduce-scatter in equal blocks of the numbers in a segment (MPI_Reduce_scatter_block): the send segment's
     * values split into {@code size()} equal blocks and rank r gets block r of the result. Collective.
     *
     * @param send    this rank's values: a multiple of {@code size()} of them
     * @param recv    where this rank's block lands
     * @param element the values' layout (byte, short, char, int, long, float or double)
     * @param op      the operation
     */
    public void reduceScatterBlock(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        reduceScatterBlockRequest("reduceScatter", send, recv, element, op).await();
    }

    /**
     * Starts {@link #reduceScatterBlock(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} without
     * waiting (MPI_Ireduce_scatter_block). Collective.
     *
     * @param send    this rank's values: a multiple of {@code size()} of them
     * @param recv    where this rank's block lands
     * @param element the values' layout
     * @param op      the operation
     * @return the request
     */
    public Request ireduceScatterBlock(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final ReduceOperation op)
    {
        return reduceScatterBlockRequest("ireduceScatter", send, recv, element, op);
    }

    /** {@link #ireduceScatterBlock} and its blocking form, named in COHORT_CHECK's messages by {@code collective}. */
    private Request reduceScatterBlockRequest(final String collective, final MemorySegment send,
        final MemorySegment recv, final ValueLayout element, final ReduceOperation op)
    {
        final long values = element == null ? 0 : send.byteSize() / element.byteSize();
        if (element != null && values % size != 0)
        {
            throw new CohortException("reduceScatterBlock: the send segment holds " + values + " values of " + element
                + ", which do not split into " + size + " equal blocks; send a multiple of " + size + " values");
        }
        return reduceScatterRequest(collective, send, recv, element,
            uniform((int) Math.min(values / size, Integer.MAX_VALUE)), op);
    }

    /**
     * {@link #igather(MemorySegment, MemorySegment, int)} on direct ByteBuffers (each from position to limit); the
     * buffers must not be touched until the request completes. Collective.
     *
     * @param send   this rank's block
     * @param recv   at the root, room for {@code size()} blocks (may be null elsewhere)
     * @param root   the gathering rank
     * @return the request
     */
    public Request igather(final ByteBuffer send, final ByteBuffer recv, final int root)
    {
        return igather(segment(send), segment(recv), root);
    }

    /**
     * {@link #iscatter(MemorySegment, MemorySegment, int)} on direct ByteBuffers (each from position to limit); the
     * buffers must not be touched until the request completes. Collective.
     *
     * @param send   at the root, {@code size()} blocks (may be null elsewhere)
     * @param recv   where this rank's block lands
     * @param root   the scattering rank
     * @return the request
     */
    public Request iscatter(final ByteBuffer send, final ByteBuffer recv, final int root)
    {
        return iscatter(segment(send), segment(recv), root);
    }

    /**
     * {@link #gatherv(MemorySegment, MemorySegment, int[], int[], int)} on direct ByteBuffers (each from position to
     * limit). Collective.
     *
     * @param send   this rank's block
     * @param recv   at the root, where the blocks land (may be null elsewhere)
     * @param counts bytes from each rank
     * @param displs where each rank's block lands
     * @param root   the gathering rank
     */
    public void gatherv(final ByteBuffer send, final ByteBuffer recv, final int[] counts, final int[] displs,
        final int root)
    {
        gatherv(segment(send), segment(recv), counts, displs, root);
    }

    /**
     * {@link #igatherv(MemorySegment, MemorySegment, int[], int[], int)} on direct ByteBuffers (each from position to
     * limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send   this rank's block
     * @param recv   at the root, where the blocks land (may be null elsewhere)
     * @param counts bytes from each rank
     * @param displs where each rank's block lands
     * @param root   the gathering rank
     * @return the request
     */
    public Request igatherv(final ByteBuffer send, final ByteBuffer recv, final int[] counts,
        final int[] displs, final int root)
    {
        return igatherv(segment(send), segment(recv), counts, displs, root);
    }

    /**
     * {@link #scatterv(MemorySegment, int[], int[], MemorySegment, int)} on direct ByteBuffers (each from position to
     * limit). Collective.
     *
     * @param send   at the root, every block (may be null elsewhere)
     * @param counts bytes to each rank
     * @param displs where each rank's block starts
     * @param recv   where this rank's block lands
     * @param root   the scattering rank
     */
    public void scatterv(final ByteBuffer send, final int[] counts, final int[] displs, final ByteBuffer recv,
        final int root)
    {
        scatterv(segment(send), counts, displs, segment(recv), root);
    }

    /**
     * {@link #iscatterv(MemorySegment, int[], int[], MemorySegment, int)} on direct ByteBuffers (each from position to
     * limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send   at the root, every block (may be null elsewhere)
     * @param counts bytes to each rank
     * @param displs where each rank's block starts
     * @param recv   where this rank's block lands
     * @param root   the scattering rank
     * @return the request
     */
    public Request iscatterv(final ByteBuffer send, final int[] counts, final int[] displs,
        final ByteBuffer recv, final int root)
    {
        return iscatterv(segment(send), counts, displs, segment(recv), root);
    }

    /**
     * {@link #allgatherv(MemorySegment, MemorySegment, int[], int[])} on direct ByteBuffers (each from position to
     * limit). Collective.
     *
     * @param send   this rank's block
     * @param recv   where every rank's block lands
     * @param counts bytes from each rank
     * @param displs where each rank's block lands
     */
    public void allgatherv(final ByteBuffer send, final ByteBuffer recv, final int[] counts, final int[] displs)
    {
        allgatherv(segment(send), segment(recv), counts, displs);
    }

    /**
     * {@link #iallgatherv(MemorySegment, MemorySegment, int[], int[])} on direct ByteBuffers (each from position to
     * limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send   this rank's block
     * @param recv   where every rank's block lands
     * @param counts bytes from each rank
     * @param displs where each rank's block lands
     * @return the request
     */
    public Request iallgatherv(final ByteBuffer send, final ByteBuffer recv, final int[] counts,
        final int[] displs)
    {
        return iallgatherv(segment(send), segment(recv), counts, displs);
    }

    /**
     * {@link #alltoallv(MemorySegment, int[], int[], MemorySegment, int[], int[])} on direct ByteBuffers (each from
     * position to limit). Collective.
     *
     * @param send       every outgoing block
     * @param sendCounts bytes to each rank
     * @param sendDispls where each outgoing block starts
     * @param recv       room for every incoming block
     * @param recvCounts bytes from each rank
     * @param recvDispls where each incoming block lands
     */
    public void alltoallv(final ByteBuffer send, final int[] sendCounts, final int[] sendDispls,
        final ByteBuffer recv, final int[] recvCounts, final int[] recvDispls)
    {
        alltoallv(segment(send), sendCounts, sendDispls, segment(recv), recvCounts, recvDispls);
    }

    /**
     * {@link #ialltoallv(MemorySegment, int[], int[], MemorySegment, int[], int[])} on direct ByteBuffers (each from
     * position to limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       every outgoing block
     * @param sendCounts bytes to each rank
     * @param sendDispls where each outgoing block starts
     * @param recv       room for every incoming block
     * @param recvCounts bytes from each rank
     * @param recvDispls where each incoming block lands
     * @return the request
     */
    public Request ialltoallv(final ByteBuffer send, final int[] sendCounts, final int[] sendDispls,
        final ByteBuffer recv, final int[] recvCounts, final int[] recvDispls)
    {
        return ialltoallv(segment(send), sendCounts, sendDispls, segment(recv), recvCounts, recvDispls);
    }

    /**
     * {@link #reduceScatter(MemorySegment, MemorySegment, ValueLayout, int[], ReduceOperation)} on direct ByteBuffers
     * (each from position to limit). Collective.
     *
     * @param send    this rank's values
     * @param recv    where this rank's block of the result lands
     * @param element the values' layout
     * @param counts  values of the result for each rank
     * @param op      the operation
     */
    public void reduceScatter(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final int[] counts, final ReduceOperation op)
    {
        reduceScatter(segment(send), segment(recv), element, counts, op);
    }

    /**
     * {@link #ireduceScatter(MemorySegment, MemorySegment, ValueLayout, int[], ReduceOperation)} on direct ByteBuffers
     * (each from position to limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send    this rank's values
     * @param recv    where this rank's block of the result lands
     * @param element the values' layout
     * @param counts  values of the result for each rank
     * @param op      the operation
     * @return the request
     */
    public Request ireduceScatter(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final int[] counts, final ReduceOperation op)
    {
        return ireduceScatter(segment(send), segment(recv), element, counts, op);
    }

    /**
     * {@link #reduceScatterBlock(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} on direct ByteBuffers
     * (each from position to limit). Collective.
     *
     * @param send    this rank's values, {@code size()} equal blocks
     * @param recv    where this rank's block lands
     * @param element the values' layout
     * @param op      the operation
     */
    public void reduceScatterBlock(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op)
    {
        reduceScatterBlock(segment(send), segment(recv), element, op);
    }

    /**
     * {@link #ireduceScatterBlock(MemorySegment, MemorySegment, ValueLayout, ReduceOperation)} on direct ByteBuffers
     * (each from position to limit); the buffers must not be touched until the request completes. Collective.
     *
     * @param send    this rank's values, {@code size()} equal blocks
     * @param recv    where this rank's block lands
     * @param element the values' layout
     * @param op      the operation
     * @return the request
     */
    public Request ireduceScatterBlock(final ByteBuffer send, final ByteBuffer recv, final ValueLayout element,
        final ReduceOperation op)
    {
        return ireduceScatterBlock(segment(send), segment(recv), element, op);
    }

    /** A segment over a direct buffer's bytes from position to limit, or null for null (a non-root's buffer). */
    private static MemorySegment segment(final ByteBuffer buffer)
    {
        return buffer == null ? null : MemorySegment.ofBuffer(buffer);
    }

    /**
     * Writes reduced values back to a segment: int arrays that hold widened byte, short or char values are
     * narrowed to the element's width first.
     */
    private static void store(final Object values, final MemorySegment recv, final ValueLayout element,
        final int count)
    {
        switch (element)
        {
            case ValueLayout.OfByte layout ->
            {
                final int[] wide = (int[]) values;
                for (int i = 0; i < count; i++)
                {
                    recv.set(layout, i, (byte) wide[i]);
                }
            }
            case ValueLayout.OfShort layout ->
            {
                final short[] narrow = new short[count];
                for (int i = 0; i < count; i++)
                {
                    narrow[i] = (short) ((int[]) values)[i];
                }
                MemorySegment.copy(narrow, 0, recv, layout, 0, count);
            }
            case ValueLayout.OfChar layout ->
            {
                final char[] narrow = new char[count];
                for (int i = 0; i < count; i++)
                {
                    narrow[i] = (char) ((int[]) values)[i];
                }
                MemorySegment.copy(narrow, 0, recv, layout, 0, count);
            }
            default -> MemorySegment.copy(values, 0, recv, element, 0, count);
        }
    }

    /**
     * A segment's values as a heap array of the element's type, with the checks every segment reduction makes.
     * Byte and short values are sign-extended and char values zero-extended to ints, combined as ints and narrowed
     * back by {@link #store}: sums and products wrap as they would in the narrow type, comparisons keep their order
     * (char unsigned), and a user-defined operation is one on ints ({@link ReduceOperation#ofInts}).
     */
    private static Object valuesOf(final MemorySegment send, final ValueLayout element, final String what)
    {
        final int bytes = bytesOf(send, what);
        if (element == null || bytes % element.byteSize() != 0)
        {
            throw new CohortException(what + " of a " + bytes + "-byte segment: " + (element == null
                ? "the element layout is null" : "not a whole number of " + element.byteSize() + "-byte " + element)
                + "; pass a ValueLayout such as JAVA_INT or JAVA_DOUBLE and a segment of whole values");
        }
        return switch (element)
        {
            case ValueLayout.OfInt layout -> send.toArray(layout);
            case ValueLayout.OfLong layout -> send.toArray(layout);
            case ValueLayout.OfFloat layout -> send.toArray(layout);
            case ValueLayout.OfDouble layout -> send.toArray(layout);
            case ValueLayout.OfByte layout ->
            {
                final int[] wide = new int[bytes];
                for (int i = 0; i < bytes; i++)
                {
                    wide[i] = send.get(layout, i);
                }
                yield wide;
            }
            case ValueLayout.OfShort layout ->
            {
                final short[] narrow = send.toArray(layout);
                final int[] wide = new int[narrow.length];
                for (int i = 0; i < narrow.length; i++)
                {
                    wide[i] = narrow[i];
                }
                yield wide;
            }
            case ValueLayout.OfChar layout ->
            {
                final char[] narrow = send.toArray(layout);
                final int[] wide = new int[narrow.length];
                for (int i = 0; i < narrow.length; i++)
                {
                    wide[i] = narrow[i];
                }
                yield wide;
            }
            default -> throw new CohortException(what + " on segments combines byte, short, char, int, long, float "
                + "or double values, not " + element + "; pass ValueLayout.JAVA_INT, JAVA_DOUBLE or another of them");
        };
    }

    // ------------------------------------------------------------------------------------------- checked core

    private int[] allgatherInts(final int[] mine)
    {
        final int n = mine.length;
        final int[] all = new int[n * size];
        System.arraycopy(mine, 0, all, rank * n, n);
        final Request[] sends = new Request[size];
        for (int peer = 0; peer < size; peer++)
        {
            if (peer != rank)
            {
                sends[peer] = isendArray(mine, INTS, 0, n, peer, TAG_ALLGATHER, collectiveContext);
            }
        }
        for (int peer = 0; peer < size; peer++)
        {
            if (peer != rank)
            {
                recvArray(all, INTS, peer * n, n, peer, TAG_ALLGATHER, new Status(), collectiveContext);
            }
        }
        Request.waitAll(sends);
        return all;
    }

    private int checkRank(final int r, final String role)
    {
        if (r < 0 || r >= size)
        {
            throw new CohortException("invalid " + role + " rank " + r + ": this communicator has " + size
                + " ranks (0.." + (size - 1) + ")");
        }
        return r;
    }

    private int destRank(final int dest)
    {
        return localToWorld[checkRank(dest, "destination")];
    }

    private int sourceRank(final int source)
    {
        return source == Cohort.ANY_SOURCE ? Cohort.ANY_SOURCE : localToWorld[checkRank(source, "source")];
    }

    private static int sendTag(final int tag)
    {
        if (tag < 0)
        {
            throw new CohortException("invalid tag " + tag + " for a send: tags run from 0 to " + Cohort.MAX_TAG);
        }
        return tag;
    }

    private static int recvTag(final int tag)
    {
        if (tag < 0 && tag != Cohort.ANY_TAG)
        {
            throw new CohortException("invalid tag " + tag + " for a receive: use 0 to " + Cohort.MAX_TAG
                + " or Cohort.ANY_TAG");
        }
        return tag;
    }

    private static int range(final int length, final int offset, final int count, final String type)
    {
        if (count < 0 || offset < 0 || (long) offset + count > length)
        {
            throw new CohortException("invalid count " + count + " at offset " + offset + " for a " + type
                + "[] of length " + length + ": need count >= 0, offset >= 0 and offset + count <= length");
        }
        return offset;
    }

    private void sendSegment(final MemorySegment buf, final int dest, final int tag, final boolean sync,
        final int ctx)
    {
        final Operation op = engine.acquire();
        engine.prepareSend(op, buf, destRank(dest), sendTag(tag), ctx, sync, worldToLocal);
        engine.startSend(op);
        engine.awaitAndRelease(op, null);
    }

    private void sendArray(final Object buf, final ValueLayout layout, final int offset, final int count,
        final int dest, final int tag, final boolean sync, final int ctx)
    {
        final Operation op = engine.acquire();
        engine.prepareSend(op, buf, layout, offset, count, destRank(dest), sendTag(tag), ctx, sync, worldToLocal);
        engine.startSend(op);
        engine.awaitAndRelease(op, null);
    }

    private Request isendSegment(final MemorySegment buf, final int dest, final int tag, final int ctx)
    {
        final Operation op = engine.newOperation();
        engine.prepareSend(op, buf, destRank(dest), sendTag(tag), ctx, false, worldToLocal);
        engine.startSend(op);
        return op;
    }

    private Request isendArray(final Object buf, final ValueLayout layout, final int offset, final int count,
        final int dest, final int tag, final int ctx)
    {
        final Operation op = engine.newOperation();
        engine.prepareSend(op, buf, layout, offset, count, destRank(dest), sendTag(tag), ctx, false, worldToLocal);
        engine.startSend(op);
        return op;
    }

    private static MemorySegment writable(final MemorySegment buf)
    {
        if (buf.isReadOnly())
        {
            throw new CohortException("the receive buffer (" + buf.byteSize() + " bytes) is read-only; receive into "
                + "writable memory");
        }
        return buf;
    }

    private Status recvSegment(final MemorySegment buf, final int source, final int tag, final Status status,
        final int ctx)
    {
        writable(buf);
        final Operation op = engine.acquire();
        engine.prepareRecv(op, buf, sourceRank(source), recvTag(tag), ctx, worldToLocal);
        engine.startRecv(op);
        engine.awaitAndRelease(op, status);
        return status;
    }

    private Status recvArray(final Object buf, final ValueLayout layout, final int offset, final int count,
        final int source, final int tag, final Status status, final int ctx)
    {
        final Operation op = engine.acquire();
        engine.prepareRecv(op, buf, layout, offset, count, sourceRank(source), recvTag(tag), ctx, worldToLocal);
        engine.startRecv(op);
        engine.awaitAndRelease(op, status);
        return status;
    }

    private Request irecvSegment(final MemorySegment buf, final int source, final int tag, final int ctx)
    {
        writable(buf);
        final Operation op = engine.newOperation();
        engine.prepareRecv(op, buf, sourceRank(source), recvTag(tag), ctx, worldToLocal);
        engine.startRecv(op);
        return op;
    }

    private Request irecvArray(final Object buf, final ValueLayout layout, final int offset, final int count,
        final int source, final int tag, final int ctx)
    {
        final Operation op = engine.newOperation();
        engine.prepareRecv(op, buf, layout, offset, count, sourceRank(source), recvTag(tag), ctx, worldToLocal);
        engine.startRecv(op);
        return op;
    }

    // ------------------------------------------------------------------------------------------- byte[] buffers

    /**
     * Sends {@code count} elements of a byte[] from {@code offset} (MPI_Send). Returns when the array may be reused.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final byte[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, BYTES, range(buf.length, offset, count, "byte"), count, dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     */
    public void ssend(final byte[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, BYTES, range(buf.length, offset, count, "byte"), count, dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the array must not change until the request completes.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     * @return the request
     */
    public Request isend(final byte[] buf, final int offset, final int count, final int dest, final int tag)
    {
        return isendArray(buf, BYTES, range(buf.length, offset, count, "byte"), count, dest, tag, context);
    }

    /**
     * Receives into {@code count} elements of a byte[] from {@code offset} (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final byte[] buf, final int offset, final int count, final int source, final int tag)
    {
        return recv(buf, offset, count, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final byte[] buf, final int offset, final int count, final int source, final int tag,
        final Status status)
    {
        return recvArray(buf, BYTES, range(buf.length, offset, count, "byte"), count, source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final byte[] buf, final int offset, final int count, final int source, final int tag)
    {
        return irecvArray(buf, BYTES, range(buf.length, offset, count, "byte"), count, source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf    the data to send
     * @param sendOffset its first element
     * @param sendCount  elements to send
     * @param dest       the destination rank
     * @param sendTag    the tag of the message sent
     * @param recvBuf    where the received message lands
     * @param recvOffset its first element
     * @param recvCount  its capacity in elements
     * @param source     the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag    the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final byte[] sendBuf, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final byte[] recvBuf, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        final Request recv = irecv(recvBuf, recvOffset, recvCount, source, recvTag);
        try
        {
            send(sendBuf, sendOffset, sendCount, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    // ------------------------------------------------------------------------------------------- int[] buffers

    /**
     * Sends {@code count} elements of a int[] from {@code offset} (MPI_Send). Returns when the array may be reused.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final int[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, INTS, range(buf.length, offset, count, "int"), count, dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     */
    public void ssend(final int[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, INTS, range(buf.length, offset, count, "int"), count, dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the array must not change until the request completes.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     * @return the request
     */
    public Request isend(final int[] buf, final int offset, final int count, final int dest, final int tag)
    {
        return isendArray(buf, INTS, range(buf.length, offset, count, "int"), count, dest, tag, context);
    }

    /**
     * Receives into {@code count} elements of a int[] from {@code offset} (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final int[] buf, final int offset, final int count, final int source, final int tag)
    {
        return recv(buf, offset, count, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final int[] buf, final int offset, final int count, final int source, final int tag,
        final Status status)
    {
        return recvArray(buf, INTS, range(buf.length, offset, count, "int"), count, source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final int[] buf, final int offset, final int count, final int source, final int tag)
    {
        return irecvArray(buf, INTS, range(buf.length, offset, count, "int"), count, source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf    the data to send
     * @param sendOffset its first element
     * @param sendCount  elements to send
     * @param dest       the destination rank
     * @param sendTag    the tag of the message sent
     * @param recvBuf    where the received message lands
     * @param recvOffset its first element
     * @param recvCount  its capacity in elements
     * @param source     the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag    the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final int[] sendBuf, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final int[] recvBuf, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        final Request recv = irecv(recvBuf, recvOffset, recvCount, source, recvTag);
        try
        {
            send(sendBuf, sendOffset, sendCount, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    // ------------------------------------------------------------------------------------------- long[] buffers

    /**
     * Sends {@code count} elements of a long[] from {@code offset} (MPI_Send). Returns when the array may be reused.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final long[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, LONGS, range(buf.length, offset, count, "long"), count, dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     */
    public void ssend(final long[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, LONGS, range(buf.length, offset, count, "long"), count, dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the array must not change until the request completes.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     * @return the request
     */
    public Request isend(final long[] buf, final int offset, final int count, final int dest, final int tag)
    {
        return isendArray(buf, LONGS, range(buf.length, offset, count, "long"), count, dest, tag, context);
    }

    /**
     * Receives into {@code count} elements of a long[] from {@code offset} (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final long[] buf, final int offset, final int count, final int source, final int tag)
    {
        return recv(buf, offset, count, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final long[] buf, final int offset, final int count, final int source, final int tag,
        final Status status)
    {
        return recvArray(buf, LONGS, range(buf.length, offset, count, "long"), count, source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final long[] buf, final int offset, final int count, final int source, final int tag)
    {
        return irecvArray(buf, LONGS, range(buf.length, offset, count, "long"), count, source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf    the data to send
     * @param sendOffset its first element
     * @param sendCount  elements to send
     * @param dest       the destination rank
     * @param sendTag    the tag of the message sent
     * @param recvBuf    where the received message lands
     * @param recvOffset its first element
     * @param recvCount  its capacity in elements
     * @param source     the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag    the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final long[] sendBuf, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final long[] recvBuf, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        final Request recv = irecv(recvBuf, recvOffset, recvCount, source, recvTag);
        try
        {
            send(sendBuf, sendOffset, sendCount, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    // ------------------------------------------------------------------------------------------- float[] buffers

    /**
     * Sends {@code count} elements of a float[] from {@code offset} (MPI_Send). Returns when the array may be reused.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final float[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, FLOATS, range(buf.length, offset, count, "float"), count, dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     */
    public void ssend(final float[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, FLOATS, range(buf.length, offset, count, "float"), count, dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the array must not change until the request completes.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     * @return the request
     */
    public Request isend(final float[] buf, final int offset, final int count, final int dest, final int tag)
    {
        return isendArray(buf, FLOATS, range(buf.length, offset, count, "float"), count, dest, tag, context);
    }

    /**
     * Receives into {@code count} elements of a float[] from {@code offset} (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final float[] buf, final int offset, final int count, final int source, final int tag)
    {
        return recv(buf, offset, count, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final float[] buf, final int offset, final int count, final int source, final int tag,
        final Status status)
    {
        return recvArray(buf, FLOATS, range(buf.length, offset, count, "float"), count, source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final float[] buf, final int offset, final int count, final int source, final int tag)
    {
        return irecvArray(buf, FLOATS, range(buf.length, offset, count, "float"), count, source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf    the data to send
     * @param sendOffset its first element
     * @param sendCount  elements to send
     * @param dest       the destination rank
     * @param sendTag    the tag of the message sent
     * @param recvBuf    where the received message lands
     * @param recvOffset its first element
     * @param recvCount  its capacity in elements
     * @param source     the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag    the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final float[] sendBuf, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final float[] recvBuf, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        final Request recv = irecv(recvBuf, recvOffset, recvCount, source, recvTag);
        try
        {
            send(sendBuf, sendOffset, sendCount, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    // ------------------------------------------------------------------------------------------- double[] buffers

    /**
     * Sends {@code count} elements of a double[] from {@code offset} (MPI_Send). Returns when the array may be reused.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final double[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, DOUBLES, range(buf.length, offset, count, "double"), count, dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     */
    public void ssend(final double[] buf, final int offset, final int count, final int dest, final int tag)
    {
        sendArray(buf, DOUBLES, range(buf.length, offset, count, "double"), count, dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the array must not change until the request completes.
     *
     * @param buf    the data
     * @param offset the first element
     * @param count  the number of elements
     * @param dest   the destination rank
     * @param tag    the tag
     * @return the request
     */
    public Request isend(final double[] buf, final int offset, final int count, final int dest, final int tag)
    {
        return isendArray(buf, DOUBLES, range(buf.length, offset, count, "double"), count, dest, tag, context);
    }

    /**
     * Receives into {@code count} elements of a double[] from {@code offset} (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final double[] buf, final int offset, final int count, final int source, final int tag)
    {
        return recv(buf, offset, count, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final double[] buf, final int offset, final int count, final int source, final int tag,
        final Status status)
    {
        return recvArray(buf, DOUBLES, range(buf.length, offset, count, "double"), count, source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param offset the first element
     * @param count  the capacity in elements
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final double[] buf, final int offset, final int count, final int source, final int tag)
    {
        return irecvArray(buf, DOUBLES, range(buf.length, offset, count, "double"), count, source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf    the data to send
     * @param sendOffset its first element
     * @param sendCount  elements to send
     * @param dest       the destination rank
     * @param sendTag    the tag of the message sent
     * @param recvBuf    where the received message lands
     * @param recvOffset its first element
     * @param recvCount  its capacity in elements
     * @param source     the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag    the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final double[] sendBuf, final int sendOffset, final int sendCount, final int dest,
        final int sendTag, final double[] recvBuf, final int recvOffset, final int recvCount, final int source,
        final int recvTag)
    {
        final Request recv = irecv(recvBuf, recvOffset, recvCount, source, recvTag);
        try
        {
            send(sendBuf, sendOffset, sendCount, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    // ------------------------------------------------------------------------------------------- MemorySegment buffers

    /**
     * Sends a whole segment (MPI_Send). Memory from {@link Cohort#allocate} takes the
     * single-copy path.
     *
     * @param buf  the data
     * @param dest the destination rank
     * @param tag  the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final MemorySegment buf, final int dest, final int tag)
    {
        sendSegment(buf, dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf  the data
     * @param dest the destination rank
     * @param tag  the tag
     */
    public void ssend(final MemorySegment buf, final int dest, final int tag)
    {
        sendSegment(buf, dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the memory must not change until the request completes.
     *
     * @param buf  the data
     * @param dest the destination rank
     * @param tag  the tag
     * @return the request
     */
    public Request isend(final MemorySegment buf, final int dest, final int tag)
    {
        return isendSegment(buf, dest, tag, context);
    }

    /**
     * Receives into a segment; its size is the capacity (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final MemorySegment buf, final int source, final int tag)
    {
        return recv(buf, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final MemorySegment buf, final int source, final int tag, final Status status)
    {
        return recvSegment(buf, source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final MemorySegment buf, final int source, final int tag)
    {
        return irecvSegment(buf, source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf the data to send
     * @param dest    the destination rank
     * @param sendTag the tag of the message sent
     * @param recvBuf where the received message lands
     * @param source  the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final MemorySegment sendBuf, final int dest, final int sendTag, final MemorySegment recvBuf,
        final int source, final int recvTag)
    {
        final Request recv = irecv(recvBuf, source, recvTag);
        try
        {
            send(sendBuf, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    // ------------------------------------------------------------------------------------------- ByteBuffer buffers

    /**
     * Sends a whole buffer, position to limit (MPI_Send). Memory from {@link Cohort#allocate} takes the
     * single-copy path.
     *
     * @param buf  the data
     * @param dest the destination rank
     * @param tag  the tag, 0 to {@link Cohort#MAX_TAG}
     */
    public void send(final ByteBuffer buf, final int dest, final int tag)
    {
        sendSegment(MemorySegment.ofBuffer(buf), dest, tag, false, context);
    }

    /**
     * Sends synchronously (MPI_Ssend): returns only once the receiver has matched the message.
     *
     * @param buf  the data
     * @param dest the destination rank
     * @param tag  the tag
     */
    public void ssend(final ByteBuffer buf, final int dest, final int tag)
    {
        sendSegment(MemorySegment.ofBuffer(buf), dest, tag, true, context);
    }

    /**
     * Starts a send (MPI_Isend); the memory must not change until the request completes.
     *
     * @param buf  the data
     * @param dest the destination rank
     * @param tag  the tag
     * @return the request
     */
    public Request isend(final ByteBuffer buf, final int dest, final int tag)
    {
        return isendSegment(MemorySegment.ofBuffer(buf), dest, tag, context);
    }

    /**
     * Receives into a buffer, position to limit; its size is the capacity (MPI_Recv).
     *
     * @param buf    where the message lands
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the status (a new object; pass one in to allocate nothing)
     */
    public Status recv(final ByteBuffer buf, final int source, final int tag)
    {
        return recv(buf, source, tag, new Status());
    }

    /**
     * Receives, filling a caller's status (allocation-free).
     *
     * @param buf    where the message lands
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @param status filled with the source, tag and size
     * @return {@code status}
     */
    public Status recv(final ByteBuffer buf, final int source, final int tag, final Status status)
    {
        return recvSegment(MemorySegment.ofBuffer(buf), source, tag, status, context);
    }

    /**
     * Starts a receive (MPI_Irecv).
     *
     * @param buf    where the message lands
     * @param source the source rank or {@link Cohort#ANY_SOURCE}
     * @param tag    the tag or {@link Cohort#ANY_TAG}
     * @return the request
     */
    public Request irecv(final ByteBuffer buf, final int source, final int tag)
    {
        return irecvSegment(MemorySegment.ofBuffer(buf), source, tag, context);
    }

    /**
     * Sends and receives at once, without deadlock whatever the partner does first (MPI_Sendrecv).
     *
     * @param sendBuf the data to send
     * @param dest    the destination rank
     * @param sendTag the tag of the message sent
     * @param recvBuf where the received message lands
     * @param source  the source rank or {@link Cohort#ANY_SOURCE}
     * @param recvTag the tag or {@link Cohort#ANY_TAG}
     * @return the status of the receive
     */
    public Status sendrecv(final ByteBuffer sendBuf, final int dest, final int sendTag, final ByteBuffer recvBuf,
        final int source, final int recvTag)
    {
        final Request recv = irecv(recvBuf, source, recvTag);
        try
        {
            send(sendBuf, dest, sendTag);
        }
        catch (final RuntimeException ex)
        {
            recv.cancel();
            throw ex;
        }
        return recv.await();
    }

    /**
     * Sends {@code count} elements from the root to every rank (MPI_Bcast). Collective. The algorithm (binomial
     * tree or scatter-allgather) is chosen by size, see
     * {@link CollectiveTuning#bcast}.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     */
    public void bcast(final byte[] buf, final int offset, final int count, final int root)
    {
        check("bcast", count, root, null, buf);
        bcastNow(buf, range(buf.length, offset, count, "byte"), count, root(root));
    }

    /**
     * Sends {@code count} elements from the root to every rank (MPI_Bcast). Collective. The algorithm (binomial
     * tree or scatter-allgather) is chosen by size, see
     * {@link CollectiveTuning#bcast}.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     */
    public void bcast(final int[] buf, final int offset, final int count, final int root)
    {
        check("bcast", count, root, null, buf);
        bcastNow(buf, range(buf.length, offset, count, "int"), count, root(root));
    }

    /**
     * Sends {@code count} elements from the root to every rank (MPI_Bcast). Collective. The algorithm (binomial
     * tree or scatter-allgather) is chosen by size, see
     * {@link CollectiveTuning#bcast}.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     */
    public void bcast(final long[] buf, final int offset, final int count, final int root)
    {
        check("bcast", count, root, null, buf);
        bcastNow(buf, range(buf.length, offset, count, "long"), count, root(root));
    }

    /**
     * Sends {@code count} elements from the root to every rank (MPI_Bcast). Collective. The algorithm (binomial
     * tree or scatter-allgather) is chosen by size, see
     * {@link CollectiveTuning#bcast}.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     */
    public void bcast(final float[] buf, final int offset, final int count, final int root)
    {
        check("bcast", count, root, null, buf);
        bcastNow(buf, range(buf.length, offset, count, "float"), count, root(root));
    }

    /**
     * Sends {@code count} elements from the root to every rank (MPI_Bcast). Collective. The algorithm (binomial
     * tree or scatter-allgather) is chosen by size, see
     * {@link CollectiveTuning#bcast}.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     */
    public void bcast(final double[] buf, final int offset, final int count, final int root)
    {
        check("bcast", count, root, null, buf);
        bcastNow(buf, range(buf.length, offset, count, "double"), count, root(root));
    }

    /**
     * Sends a whole segment from the root to every rank (MPI_Bcast). Collective. The algorithm (binomial tree or
     * scatter-allgather) is chosen by size, see
     * {@link CollectiveTuning#bcast}.
     *
     * @param buf  the data at the root; where it lands on the other ranks (the same size everywhere)
     * @param root the rank that has the data
     */
    public void bcast(final MemorySegment buf, final int root)
    {
        if (buf.byteSize() > Integer.MAX_VALUE)
        {
            throw new CohortException("bcast of " + buf.byteSize() + " bytes: at most " + Integer.MAX_VALUE
                + " bytes per call; split the segment");
        }
        check("bcast", (int) buf.byteSize(), root, null, SEGMENT_BYTES);
        bcastNow(writable(buf), 0, (int) buf.byteSize(), root(root));
    }

    /**
     * Combines every rank's {@code count} elements with {@code op}, element by element, into the root's receive
     * buffer (MPI_Reduce), by a binomial tree. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     */
    public void reduce(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "int");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "int");
        }
        final ReduceOperation operation = operation(op, send);
        check("reduce", count, root, operation, send);
        Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start().await();
    }

    /**
     * Combines every rank's {@code count} elements with {@code op} and gives every rank the result
     * (MPI_Allreduce). Collective. {@code recv} may be {@code send} (in place). The algorithm (recursive
     * doubling, Rabenseifner or ring) is chosen by size, see {@link CollectiveTuning#allreduce}.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     */
    public void allreduce(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "int");
        range(recv.length, recvOffset, count, "int");
        final ReduceOperation operation = operation(op, send);
        check("allreduce", count, -1, operation, send);
        allreduceNow(send, sendOffset, recv, recvOffset, count, operation);
    }

    /**
     * Combines every rank's {@code count} elements with {@code op}, element by element, into the root's receive
     * buffer (MPI_Reduce), by a binomial tree. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     */
    public void reduce(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "long");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "long");
        }
        final ReduceOperation operation = operation(op, send);
        check("reduce", count, root, operation, send);
        Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start().await();
    }

    /**
     * Combines every rank's {@code count} elements with {@code op} and gives every rank the result
     * (MPI_Allreduce). Collective. {@code recv} may be {@code send} (in place). The algorithm (recursive
     * doubling, Rabenseifner or ring) is chosen by size, see {@link CollectiveTuning#allreduce}.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     */
    public void allreduce(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "long");
        range(recv.length, recvOffset, count, "long");
        final ReduceOperation operation = operation(op, send);
        check("allreduce", count, -1, operation, send);
        allreduceNow(send, sendOffset, recv, recvOffset, count, operation);
    }

    /**
     * Combines every rank's {@code count} elements with {@code op}, element by element, into the root's receive
     * buffer (MPI_Reduce), by a binomial tree. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     */
    public void reduce(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "float");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "float");
        }
        final ReduceOperation operation = operation(op, send);
        check("reduce", count, root, operation, send);
        Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start().await();
    }

    /**
     * Combines every rank's {@code count} elements with {@code op} and gives every rank the result
     * (MPI_Allreduce). Collective. {@code recv} may be {@code send} (in place). The algorithm (recursive
     * doubling, Rabenseifner or ring) is chosen by size, see {@link CollectiveTuning#allreduce}.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     */
    public void allreduce(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "float");
        range(recv.length, recvOffset, count, "float");
        final ReduceOperation operation = operation(op, send);
        check("allreduce", count, -1, operation, send);
        allreduceNow(send, sendOffset, recv, recvOffset, count, operation);
    }

    /**
     * Combines every rank's {@code count} elements with {@code op}, element by element, into the root's receive
     * buffer (MPI_Reduce), by a binomial tree. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     */
    public void reduce(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "double");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "double");
        }
        final ReduceOperation operation = operation(op, send);
        check("reduce", count, root, operation, send);
        Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start().await();
    }

    /**
     * Combines every rank's {@code count} elements with {@code op} and gives every rank the result
     * (MPI_Allreduce). Collective. {@code recv} may be {@code send} (in place). The algorithm (recursive
     * doubling, Rabenseifner or ring) is chosen by size, see {@link CollectiveTuning#allreduce}.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     */
    public void allreduce(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "double");
        range(recv.length, recvOffset, count, "double");
        final ReduceOperation operation = operation(op, send);
        check("allreduce", count, -1, operation, send);
        allreduceNow(send, sendOffset, recv, recvOffset, count, operation);
    }

    /**
     * Collects {@code count} elements from every rank at the root, rank r's at {@code recvOffset + r * count}
     * (MPI_Gather). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     */
    public void gather(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int recvOffset, final int root)
    {
        gatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Collects a block of any size from every rank at the root (MPI_Gatherv). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     */
    public void gatherv(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "byte");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("gatherv", -1, root, null, send);
        checkCounts("gatherv", root, count, counts);
        Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start().await();
    }

    /**
     * Sends each rank {@code count} elements from the root, rank r's from {@code sendOffset + r * count}
     * (MPI_Scatter). Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     */
    public void scatter(final byte[] send, final int sendOffset, final byte[] recv, final int recvOffset,
        final int count, final int root)
    {
        scatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Sends each rank a block of any size from the root (MPI_Scatterv). Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     */
    public void scatterv(final byte[] send, final int[] counts, final int[] displs, final byte[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "byte");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("scatterv", -1, root, null, recv);
        checkCounts("scatterv", root, count, counts);
        Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start().await();
    }

    /**
     * Gives every rank every rank's {@code count} elements, rank r's at {@code recvOffset + r * count}
     * (MPI_Allgather). Collective. The algorithm (recursive doubling, Bruck or ring) is chosen by size, see
     * {@link CollectiveTuning#allgather}.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     */
    public void allgather(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int recvOffset)
    {
        checkAllgather("allgather", send, sendOffset, count, recv, recvOffset);
        allgatherNow(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Gives every rank every rank's block, of any size (MPI_Allgatherv), by the ring algorithm. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     */
    public void allgatherv(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "byte");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("allgatherv", -1, -1, null, send);
        checkCounts("allgatherv", -1, count, counts);
        Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start().await();
    }

    /**
     * Sends {@code count} elements to every rank and receives as many from each (MPI_Alltoall). Collective.
     * The algorithm (Bruck or pairwise exchange) is chosen by size, see {@link CollectiveTuning#alltoall}.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     */
    public void alltoall(final byte[] send, final int sendOffset, final byte[] recv, final int recvOffset,
        final int count)
    {
        checkAlltoall("alltoall", send, sendOffset, recv, recvOffset, count);
        alltoallNow(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Sends a block of any size to every rank and receives one from each (MPI_Alltoallv), by pairwise exchange.
     * Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     */
    public void alltoallv(final byte[] send, final int[] sendCounts, final int[] sendDispls, final byte[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("alltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv, recvCounts,
            recvDispls).start().await();
    }

    /**
     * Collects {@code count} elements from every rank at the root, rank r's at {@code recvOffset + r * count}
     * (MPI_Gather). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     */
    public void gather(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int recvOffset, final int root)
    {
        gatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Collects a block of any size from every rank at the root (MPI_Gatherv). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     */
    public void gatherv(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "int");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("gatherv", -1, root, null, send);
        checkCounts("gatherv", root, count, counts);
        Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start().await();
    }

    /**
     * Sends each rank {@code count} elements from the root, rank r's from {@code sendOffset + r * count}
     * (MPI_Scatter). Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     */
    public void scatter(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final int root)
    {
        scatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Sends each rank a block of any size from the root (MPI_Scatterv). Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     */
    public void scatterv(final int[] send, final int[] counts, final int[] displs, final int[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "int");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("scatterv", -1, root, null, recv);
        checkCounts("scatterv", root, count, counts);
        Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start().await();
    }

    /**
     * Gives every rank every rank's {@code count} elements, rank r's at {@code recvOffset + r * count}
     * (MPI_Allgather). Collective. The algorithm (recursive doubling, Bruck or ring) is chosen by size, see
     * {@link CollectiveTuning#allgather}.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     */
    public void allgather(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int recvOffset)
    {
        checkAllgather("allgather", send, sendOffset, count, recv, recvOffset);
        allgatherNow(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Gives every rank every rank's block, of any size (MPI_Allgatherv), by the ring algorithm. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     */
    public void allgatherv(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "int");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("allgatherv", -1, -1, null, send);
        checkCounts("allgatherv", -1, count, counts);
        Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start().await();
    }

    /**
     * Sends {@code count} elements to every rank and receives as many from each (MPI_Alltoall). Collective.
     * The algorithm (Bruck or pairwise exchange) is chosen by size, see {@link CollectiveTuning#alltoall}.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     */
    public void alltoall(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count)
    {
        checkAlltoall("alltoall", send, sendOffset, recv, recvOffset, count);
        alltoallNow(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Sends a block of any size to every rank and receives one from each (MPI_Alltoallv), by pairwise exchange.
     * Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     */
    public void alltoallv(final int[] send, final int[] sendCounts, final int[] sendDispls, final int[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("alltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv, recvCounts,
            recvDispls).start().await();
    }

    /**
     * Collects {@code count} elements from every rank at the root, rank r's at {@code recvOffset + r * count}
     * (MPI_Gather). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     */
    public void gather(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int recvOffset, final int root)
    {
        gatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Collects a block of any size from every rank at the root (MPI_Gatherv). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     */
    public void gatherv(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "long");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("gatherv", -1, root, null, send);
        checkCounts("gatherv", root, count, counts);
        Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start().await();
    }

    /**
     * Sends each rank {@code count} elements from the root, rank r's from {@code sendOffset + r * count}
     * (MPI_Scatter). Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     */
    public void scatter(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final int root)
    {
        scatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Sends each rank a block of any size from the root (MPI_Scatterv). Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     */
    public void scatterv(final long[] send, final int[] counts, final int[] displs, final long[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "long");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("scatterv", -1, root, null, recv);
        checkCounts("scatterv", root, count, counts);
        Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start().await();
    }

    /**
     * Gives every rank every rank's {@code count} elements, rank r's at {@code recvOffset + r * count}
     * (MPI_Allgather). Collective. The algorithm (recursive doubling, Bruck or ring) is chosen by size, see
     * {@link CollectiveTuning#allgather}.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     */
    public void allgather(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int recvOffset)
    {
        checkAllgather("allgather", send, sendOffset, count, recv, recvOffset);
        allgatherNow(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Gives every rank every rank's block, of any size (MPI_Allgatherv), by the ring algorithm. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     */
    public void allgatherv(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "long");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("allgatherv", -1, -1, null, send);
        checkCounts("allgatherv", -1, count, counts);
        Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start().await();
    }

    /**
     * Sends {@code count} elements to every rank and receives as many from each (MPI_Alltoall). Collective.
     * The algorithm (Bruck or pairwise exchange) is chosen by size, see {@link CollectiveTuning#alltoall}.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     */
    public void alltoall(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count)
    {
        checkAlltoall("alltoall", send, sendOffset, recv, recvOffset, count);
        alltoallNow(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Sends a block of any size to every rank and receives one from each (MPI_Alltoallv), by pairwise exchange.
     * Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     */
    public void alltoallv(final long[] send, final int[] sendCounts, final int[] sendDispls, final long[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("alltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv, recvCounts,
            recvDispls).start().await();
    }

    /**
     * Collects {@code count} elements from every rank at the root, rank r's at {@code recvOffset + r * count}
     * (MPI_Gather). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     */
    public void gather(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int recvOffset, final int root)
    {
        gatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Collects a block of any size from every rank at the root (MPI_Gatherv). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     */
    public void gatherv(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "float");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("gatherv", -1, root, null, send);
        checkCounts("gatherv", root, count, counts);
        Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start().await();
    }

    /**
     * Sends each rank {@code count} elements from the root, rank r's from {@code sendOffset + r * count}
     * (MPI_Scatter). Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     */
    public void scatter(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final int root)
    {
        scatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Sends each rank a block of any size from the root (MPI_Scatterv). Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     */
    public void scatterv(final float[] send, final int[] counts, final int[] displs, final float[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "float");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("scatterv", -1, root, null, recv);
        checkCounts("scatterv", root, count, counts);
        Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start().await();
    }

    /**
     * Gives every rank every rank's {@code count} elements, rank r's at {@code recvOffset + r * count}
     * (MPI_Allgather). Collective. The algorithm (recursive doubling, Bruck or ring) is chosen by size, see
     * {@link CollectiveTuning#allgather}.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     */
    public void allgather(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int recvOffset)
    {
        checkAllgather("allgather", send, sendOffset, count, recv, recvOffset);
        allgatherNow(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Gives every rank every rank's block, of any size (MPI_Allgatherv), by the ring algorithm. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     */
    public void allgatherv(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "float");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("allgatherv", -1, -1, null, send);
        checkCounts("allgatherv", -1, count, counts);
        Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start().await();
    }

    /**
     * Sends {@code count} elements to every rank and receives as many from each (MPI_Alltoall). Collective.
     * The algorithm (Bruck or pairwise exchange) is chosen by size, see {@link CollectiveTuning#alltoall}.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     */
    public void alltoall(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count)
    {
        checkAlltoall("alltoall", send, sendOffset, recv, recvOffset, count);
        alltoallNow(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Sends a block of any size to every rank and receives one from each (MPI_Alltoallv), by pairwise exchange.
     * Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     */
    public void alltoallv(final float[] send, final int[] sendCounts, final int[] sendDispls, final float[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("alltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv, recvCounts,
            recvDispls).start().await();
    }

    /**
     * Collects {@code count} elements from every rank at the root, rank r's at {@code recvOffset + r * count}
     * (MPI_Gather). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     */
    public void gather(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int recvOffset, final int root)
    {
        gatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Collects a block of any size from every rank at the root (MPI_Gatherv). Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     */
    public void gatherv(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "double");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("gatherv", -1, root, null, send);
        checkCounts("gatherv", root, count, counts);
        Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start().await();
    }

    /**
     * Sends each rank {@code count} elements from the root, rank r's from {@code sendOffset + r * count}
     * (MPI_Scatter). Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     */
    public void scatter(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final int root)
    {
        scatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Sends each rank a block of any size from the root (MPI_Scatterv). Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     */
    public void scatterv(final double[] send, final int[] counts, final int[] displs, final double[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "double");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("scatterv", -1, root, null, recv);
        checkCounts("scatterv", root, count, counts);
        Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start().await();
    }

    /**
     * Gives every rank every rank's {@code count} elements, rank r's at {@code recvOffset + r * count}
     * (MPI_Allgather). Collective. The algorithm (recursive doubling, Bruck or ring) is chosen by size, see
     * {@link CollectiveTuning#allgather}.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     */
    public void allgather(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int recvOffset)
    {
        checkAllgather("allgather", send, sendOffset, count, recv, recvOffset);
        allgatherNow(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Gives every rank every rank's block, of any size (MPI_Allgatherv), by the ring algorithm. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     */
    public void allgatherv(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "double");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("allgatherv", -1, -1, null, send);
        checkCounts("allgatherv", -1, count, counts);
        Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start().await();
    }

    /**
     * Sends {@code count} elements to every rank and receives as many from each (MPI_Alltoall). Collective.
     * The algorithm (Bruck or pairwise exchange) is chosen by size, see {@link CollectiveTuning#alltoall}.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     */
    public void alltoall(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count)
    {
        checkAlltoall("alltoall", send, sendOffset, recv, recvOffset, count);
        alltoallNow(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Sends a block of any size to every rank and receives one from each (MPI_Alltoallv), by pairwise exchange.
     * Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     */
    public void alltoallv(final double[] send, final int[] sendCounts, final int[] sendDispls, final double[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("alltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv, recvCounts,
            recvDispls).start().await();
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r (MPI_Scan), by recursive doubling.
     * Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void scan(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "int");
        range(recv.length, recvOffset, count, "int");
        final ReduceOperation operation = operation(op, send);
        check("scan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start().await();
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r - 1 (MPI_Exscan); rank 0's receive
     * buffer is left as it was. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void exscan(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "int");
        range(recv.length, recvOffset, count, "int");
        final ReduceOperation operation = operation(op, send);
        check("exscan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start().await();
    }

    /**
     * Combines every rank's {@code size() * count} elements and gives rank r block r of the result
     * (MPI_Reduce_scatter_block). Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     */
    public void reduceScatterBlock(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        reduceScatter(send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Combines every rank's elements and gives rank r its {@code counts[r]} elements of the result, in rank
     * order (MPI_Reduce_scatter). Collective. Commutative operations run the ring reduce-scatter; others an
     * allreduce of the whole vector, which keeps rank order (see {@code Reduction.reduceScatter}).
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     */
    public void reduceScatter(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        reduceScatterStarted("reduceScatter", send, sendOffset, recv, recvOffset, counts, op).await();
    }

    /**
     * Starts {@link #reduceScatter(int[], int, int[], int, int[], ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatter(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, counts, op);
    }

    /**
     * Starts {@link #reduceScatterBlock(int[], int, int[], int, int, ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter_block); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatterBlock(final int[] send, final int sendOffset, final int[] recv,
        final int recvOffset, final int count, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r (MPI_Scan), by recursive doubling.
     * Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void scan(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "long");
        range(recv.length, recvOffset, count, "long");
        final ReduceOperation operation = operation(op, send);
        check("scan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start().await();
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r - 1 (MPI_Exscan); rank 0's receive
     * buffer is left as it was. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void exscan(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "long");
        range(recv.length, recvOffset, count, "long");
        final ReduceOperation operation = operation(op, send);
        check("exscan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start().await();
    }

    /**
     * Combines every rank's {@code size() * count} elements and gives rank r block r of the result
     * (MPI_Reduce_scatter_block). Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     */
    public void reduceScatterBlock(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        reduceScatter(send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Combines every rank's elements and gives rank r its {@code counts[r]} elements of the result, in rank
     * order (MPI_Reduce_scatter). Collective. Commutative operations run the ring reduce-scatter; others an
     * allreduce of the whole vector, which keeps rank order (see {@code Reduction.reduceScatter}).
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     */
    public void reduceScatter(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        reduceScatterStarted("reduceScatter", send, sendOffset, recv, recvOffset, counts, op).await();
    }

    /**
     * Starts {@link #reduceScatter(long[], int, long[], int, int[], ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatter(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, counts, op);
    }

    /**
     * Starts {@link #reduceScatterBlock(long[], int, long[], int, int, ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter_block); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatterBlock(final long[] send, final int sendOffset, final long[] recv,
        final int recvOffset, final int count, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r (MPI_Scan), by recursive doubling.
     * Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void scan(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "float");
        range(recv.length, recvOffset, count, "float");
        final ReduceOperation operation = operation(op, send);
        check("scan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start().await();
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r - 1 (MPI_Exscan); rank 0's receive
     * buffer is left as it was. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void exscan(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "float");
        range(recv.length, recvOffset, count, "float");
        final ReduceOperation operation = operation(op, send);
        check("exscan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start().await();
    }

    /**
     * Combines every rank's {@code size() * count} elements and gives rank r block r of the result
     * (MPI_Reduce_scatter_block). Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     */
    public void reduceScatterBlock(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        reduceScatter(send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Combines every rank's elements and gives rank r its {@code counts[r]} elements of the result, in rank
     * order (MPI_Reduce_scatter). Collective. Commutative operations run the ring reduce-scatter; others an
     * allreduce of the whole vector, which keeps rank order (see {@code Reduction.reduceScatter}).
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     */
    public void reduceScatter(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        reduceScatterStarted("reduceScatter", send, sendOffset, recv, recvOffset, counts, op).await();
    }

    /**
     * Starts {@link #reduceScatter(float[], int, float[], int, int[], ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatter(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, counts, op);
    }

    /**
     * Starts {@link #reduceScatterBlock(float[], int, float[], int, int, ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter_block); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatterBlock(final float[] send, final int sendOffset, final float[] recv,
        final int recvOffset, final int count, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r (MPI_Scan), by recursive doubling.
     * Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void scan(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "double");
        range(recv.length, recvOffset, count, "double");
        final ReduceOperation operation = operation(op, send);
        check("scan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start().await();
    }

    /**
     * Gives rank r the combination of the contributions of ranks 0 to r - 1 (MPI_Exscan); rank 0's receive
     * buffer is left as it was. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     */
    public void exscan(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "double");
        range(recv.length, recvOffset, count, "double");
        final ReduceOperation operation = operation(op, send);
        check("exscan", count, -1, operation, send);
        Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start().await();
    }

    /**
     * Combines every rank's {@code size() * count} elements and gives rank r block r of the result
     * (MPI_Reduce_scatter_block). Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     */
    public void reduceScatterBlock(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        reduceScatter(send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Combines every rank's elements and gives rank r its {@code counts[r]} elements of the result, in rank
     * order (MPI_Reduce_scatter). Collective. Commutative operations run the ring reduce-scatter; others an
     * allreduce of the whole vector, which keeps rank order (see {@code Reduction.reduceScatter}).
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     */
    public void reduceScatter(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        reduceScatterStarted("reduceScatter", send, sendOffset, recv, recvOffset, counts, op).await();
    }

    /**
     * Starts {@link #reduceScatter(double[], int, double[], int, int[], ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       the sum of {@code counts} elements
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param counts     each rank's block size, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatter(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int[] counts, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, counts, op);
    }

    /**
     * Starts {@link #reduceScatterBlock(double[], int, double[], int, int, ReduceOperation)} without waiting
     * (MPI_Ireduce_scatter_block); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       {@code size() * count} elements
     * @param sendOffset its first element
     * @param recv       where this rank's {@code count} elements land
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param op         the operation
     * @return the request
     */
    public Request ireduceScatterBlock(final double[] send, final int sendOffset, final double[] recv,
        final int recvOffset, final int count, final ReduceOperation op)
    {
        return reduceScatterStarted("ireduceScatter", send, sendOffset, recv, recvOffset, uniform(count), op);
    }

    /**
     * Starts a broadcast (MPI_Ibcast); the buffer must not be touched until the request completes. Collective.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     * @return the request
     */
    public Request ibcast(final byte[] buf, final int offset, final int count, final int root)
    {
        check("ibcast", count, root, null, buf);
        return Broadcast.bcast(tuning, nextChannel(), buf, range(buf.length, offset, count, "byte"), count,
            root(root)).start();
    }

    /**
     * Starts a broadcast (MPI_Ibcast); the buffer must not be touched until the request completes. Collective.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     * @return the request
     */
    public Request ibcast(final int[] buf, final int offset, final int count, final int root)
    {
        check("ibcast", count, root, null, buf);
        return Broadcast.bcast(tuning, nextChannel(), buf, range(buf.length, offset, count, "int"), count,
            root(root)).start();
    }

    /**
     * Starts a broadcast (MPI_Ibcast); the buffer must not be touched until the request completes. Collective.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     * @return the request
     */
    public Request ibcast(final long[] buf, final int offset, final int count, final int root)
    {
        check("ibcast", count, root, null, buf);
        return Broadcast.bcast(tuning, nextChannel(), buf, range(buf.length, offset, count, "long"), count,
            root(root)).start();
    }

    /**
     * Starts a broadcast (MPI_Ibcast); the buffer must not be touched until the request completes. Collective.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     * @return the request
     */
    public Request ibcast(final float[] buf, final int offset, final int count, final int root)
    {
        check("ibcast", count, root, null, buf);
        return Broadcast.bcast(tuning, nextChannel(), buf, range(buf.length, offset, count, "float"), count,
            root(root)).start();
    }

    /**
     * Starts a broadcast (MPI_Ibcast); the buffer must not be touched until the request completes. Collective.
     *
     * @param buf    the data at the root; where it lands on the other ranks
     * @param offset the first element
     * @param count  the number of elements, the same on every rank
     * @param root   the rank that has the data
     * @return the request
     */
    public Request ibcast(final double[] buf, final int offset, final int count, final int root)
    {
        check("ibcast", count, root, null, buf);
        return Broadcast.bcast(tuning, nextChannel(), buf, range(buf.length, offset, count, "double"), count,
            root(root)).start();
    }

    /**
     * Starts a reduce (MPI_Ireduce); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     * @return the request
     */
    public Request ireduce(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "int");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "int");
        }
        final ReduceOperation operation = operation(op, send);
        check("ireduce", count, root, operation, send);
        return Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start();
    }

    /**
     * Starts an allreduce (MPI_Iallreduce), so computation can overlap it; the buffers must not be touched until
     * the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request iallreduce(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "int");
        range(recv.length, recvOffset, count, "int");
        final ReduceOperation operation = operation(op, send);
        check("iallreduce", count, -1, operation, send);
        return Reduction.allreduce(tuning, nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation).start();
    }

    /**
     * Starts a reduce (MPI_Ireduce); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     * @return the request
     */
    public Request ireduce(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "long");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "long");
        }
        final ReduceOperation operation = operation(op, send);
        check("ireduce", count, root, operation, send);
        return Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start();
    }

    /**
     * Starts an allreduce (MPI_Iallreduce), so computation can overlap it; the buffers must not be touched until
     * the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request iallreduce(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "long");
        range(recv.length, recvOffset, count, "long");
        final ReduceOperation operation = operation(op, send);
        check("iallreduce", count, -1, operation, send);
        return Reduction.allreduce(tuning, nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation).start();
    }

    /**
     * Starts a reduce (MPI_Ireduce); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     * @return the request
     */
    public Request ireduce(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "float");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "float");
        }
        final ReduceOperation operation = operation(op, send);
        check("ireduce", count, root, operation, send);
        return Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start();
    }

    /**
     * Starts an allreduce (MPI_Iallreduce), so computation can overlap it; the buffers must not be touched until
     * the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request iallreduce(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "float");
        range(recv.length, recvOffset, count, "float");
        final ReduceOperation operation = operation(op, send);
        check("iallreduce", count, -1, operation, send);
        return Reduction.allreduce(tuning, nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation).start();
    }

    /**
     * Starts a reduce (MPI_Ireduce); the buffers must not be touched until the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       the result at the root (may be null on other ranks)
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @param root       the rank that gets the result
     * @return the request
     */
    public Request ireduce(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        range(send.length, sendOffset, count, "double");
        if (rank == root(root))
        {
            range(recv == null ? 0 : recv.length, recvOffset, count, "double");
        }
        final ReduceOperation operation = operation(op, send);
        check("ireduce", count, root, operation, send);
        return Reduction.binomialReduce(nextChannel(), send, sendOffset, recv, recvOffset, count, operation,
            root).start();
    }

    /**
     * Starts an allreduce (MPI_Iallreduce), so computation can overlap it; the buffers must not be touched until
     * the request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the result lands on every rank
     * @param recvOffset its first element
     * @param count      the number of elements, the same on every rank
     * @param op         the operation
     * @return the request
     */
    public Request iallreduce(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "double");
        range(recv.length, recvOffset, count, "double");
        final ReduceOperation operation = operation(op, send);
        check("iallreduce", count, -1, operation, send);
        return Reduction.allreduce(tuning, nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation).start();
    }

    /**
     * Starts {@link #gather} without waiting (MPI_Igather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     * @return the request
     */
    public Request igather(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int recvOffset, final int root)
    {
        return igatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Starts {@link #gatherv} without waiting (MPI_Igatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     * @return the request
     */
    public Request igatherv(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "byte");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("igatherv", -1, root, null, send);
        checkCounts("igatherv", root, count, counts);
        return Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start();
    }

    /**
     * Starts {@link #scatter} without waiting (MPI_Iscatter); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatter(final byte[] send, final int sendOffset, final byte[] recv, final int recvOffset,
        final int count, final int root)
    {
        return iscatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Starts {@link #scatterv} without waiting (MPI_Iscatterv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatterv(final byte[] send, final int[] counts, final int[] displs, final byte[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "byte");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("iscatterv", -1, root, null, recv);
        checkCounts("iscatterv", root, count, counts);
        return Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start();
    }

    /**
     * Starts {@link #allgather} without waiting (MPI_Iallgather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     * @return the request
     */
    public Request iallgather(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int recvOffset)
    {
        return allgatherBlocks(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Starts {@link #allgatherv} without waiting (MPI_Iallgatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     * @return the request
     */
    public Request iallgatherv(final byte[] send, final int sendOffset, final int count, final byte[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "byte");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("iallgatherv", -1, -1, null, send);
        checkCounts("iallgatherv", -1, count, counts);
        return Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start();
    }

    /**
     * Starts {@link #alltoall} without waiting (MPI_Ialltoall); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     * @return the request
     */
    public Request ialltoall(final byte[] send, final int sendOffset, final byte[] recv, final int recvOffset,
        final int count)
    {
        return alltoallBlocks(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Starts {@link #alltoallv} without waiting (MPI_Ialltoallv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     * @return the request
     */
    public Request ialltoallv(final byte[] send, final int[] sendCounts, final int[] sendDispls, final byte[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("ialltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        return Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv,
            recvCounts, recvDispls).start();
    }

    /**
     * Starts {@link #gather} without waiting (MPI_Igather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     * @return the request
     */
    public Request igather(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int recvOffset, final int root)
    {
        return igatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Starts {@link #gatherv} without waiting (MPI_Igatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     * @return the request
     */
    public Request igatherv(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "int");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("igatherv", -1, root, null, send);
        checkCounts("igatherv", root, count, counts);
        return Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start();
    }

    /**
     * Starts {@link #scatter} without waiting (MPI_Iscatter); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatter(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final int root)
    {
        return iscatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Starts {@link #scatterv} without waiting (MPI_Iscatterv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatterv(final int[] send, final int[] counts, final int[] displs, final int[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "int");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("iscatterv", -1, root, null, recv);
        checkCounts("iscatterv", root, count, counts);
        return Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start();
    }

    /**
     * Starts {@link #allgather} without waiting (MPI_Iallgather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     * @return the request
     */
    public Request iallgather(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int recvOffset)
    {
        return allgatherBlocks(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Starts {@link #allgatherv} without waiting (MPI_Iallgatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     * @return the request
     */
    public Request iallgatherv(final int[] send, final int sendOffset, final int count, final int[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "int");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("iallgatherv", -1, -1, null, send);
        checkCounts("iallgatherv", -1, count, counts);
        return Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start();
    }

    /**
     * Starts {@link #alltoall} without waiting (MPI_Ialltoall); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     * @return the request
     */
    public Request ialltoall(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count)
    {
        return alltoallBlocks(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Starts {@link #alltoallv} without waiting (MPI_Ialltoallv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     * @return the request
     */
    public Request ialltoallv(final int[] send, final int[] sendCounts, final int[] sendDispls, final int[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("ialltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        return Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv,
            recvCounts, recvDispls).start();
    }

    /**
     * Starts {@link #gather} without waiting (MPI_Igather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     * @return the request
     */
    public Request igather(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int recvOffset, final int root)
    {
        return igatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Starts {@link #gatherv} without waiting (MPI_Igatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     * @return the request
     */
    public Request igatherv(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "long");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("igatherv", -1, root, null, send);
        checkCounts("igatherv", root, count, counts);
        return Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start();
    }

    /**
     * Starts {@link #scatter} without waiting (MPI_Iscatter); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatter(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final int root)
    {
        return iscatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Starts {@link #scatterv} without waiting (MPI_Iscatterv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatterv(final long[] send, final int[] counts, final int[] displs, final long[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "long");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("iscatterv", -1, root, null, recv);
        checkCounts("iscatterv", root, count, counts);
        return Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start();
    }

    /**
     * Starts {@link #allgather} without waiting (MPI_Iallgather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     * @return the request
     */
    public Request iallgather(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int recvOffset)
    {
        return allgatherBlocks(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Starts {@link #allgatherv} without waiting (MPI_Iallgatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     * @return the request
     */
    public Request iallgatherv(final long[] send, final int sendOffset, final int count, final long[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "long");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("iallgatherv", -1, -1, null, send);
        checkCounts("iallgatherv", -1, count, counts);
        return Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start();
    }

    /**
     * Starts {@link #alltoall} without waiting (MPI_Ialltoall); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     * @return the request
     */
    public Request ialltoall(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count)
    {
        return alltoallBlocks(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Starts {@link #alltoallv} without waiting (MPI_Ialltoallv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     * @return the request
     */
    public Request ialltoallv(final long[] send, final int[] sendCounts, final int[] sendDispls, final long[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("ialltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        return Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv,
            recvCounts, recvDispls).start();
    }

    /**
     * Starts {@link #gather} without waiting (MPI_Igather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     * @return the request
     */
    public Request igather(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int recvOffset, final int root)
    {
        return igatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Starts {@link #gatherv} without waiting (MPI_Igatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     * @return the request
     */
    public Request igatherv(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "float");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("igatherv", -1, root, null, send);
        checkCounts("igatherv", root, count, counts);
        return Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start();
    }

    /**
     * Starts {@link #scatter} without waiting (MPI_Iscatter); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatter(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final int root)
    {
        return iscatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Starts {@link #scatterv} without waiting (MPI_Iscatterv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatterv(final float[] send, final int[] counts, final int[] displs, final float[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "float");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("iscatterv", -1, root, null, recv);
        checkCounts("iscatterv", root, count, counts);
        return Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start();
    }

    /**
     * Starts {@link #allgather} without waiting (MPI_Iallgather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     * @return the request
     */
    public Request iallgather(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int recvOffset)
    {
        return allgatherBlocks(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Starts {@link #allgatherv} without waiting (MPI_Iallgatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     * @return the request
     */
    public Request iallgatherv(final float[] send, final int sendOffset, final int count, final float[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "float");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("iallgatherv", -1, -1, null, send);
        checkCounts("iallgatherv", -1, count, counts);
        return Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start();
    }

    /**
     * Starts {@link #alltoall} without waiting (MPI_Ialltoall); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     * @return the request
     */
    public Request ialltoall(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count)
    {
        return alltoallBlocks(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Starts {@link #alltoallv} without waiting (MPI_Ialltoallv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     * @return the request
     */
    public Request ialltoallv(final float[] send, final int[] sendCounts, final int[] sendDispls, final float[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("ialltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        return Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv,
            recvCounts, recvDispls).start();
    }

    /**
     * Starts {@link #gather} without waiting (MPI_Igather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       at the root, room for {@code size() * count} elements (may be null elsewhere)
     * @param recvOffset its first element
     * @param root       the gathering rank
     * @return the request
     */
    public Request igather(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int recvOffset, final int root)
    {
        return igatherv(send, sendOffset, count, recv, uniform(count), blocks(count, recvOffset), root);
    }

    /**
     * Starts {@link #gatherv} without waiting (MPI_Igatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       at the root, where rank r's block lands at {@code displs[r]} (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement
     * @param root       the gathering rank
     * @return the request
     */
    public Request igatherv(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int[] counts, final int[] displs, final int root)
    {
        range(send.length, sendOffset, count, "double");
        if (rank == root(root))
        {
            layout("gatherv", (recv == null ? 0 : recv.length), counts, displs);
            if (counts[root] != count)
            {
                throw new CohortException("gatherv: the root sends " + count + " elements but counts[" + root
                    + "] is " + counts[root]);
            }
        }
        check("igatherv", -1, root, null, send);
        checkCounts("igatherv", root, count, counts);
        return Exchange.linearGatherv(nextChannel(), send, sendOffset, count, recv, counts, displs, root).start();
    }

    /**
     * Starts {@link #scatter} without waiting (MPI_Iscatter); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, {@code size() * count} elements (may be null elsewhere)
     * @param sendOffset its first element
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      elements per rank
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatter(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final int root)
    {
        return iscatterv(send, uniform(count), blocks(count, sendOffset), recv, recvOffset, count, root);
    }

    /**
     * Starts {@link #scatterv} without waiting (MPI_Iscatterv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       at the root, the blocks (may be null elsewhere)
     * @param counts     at the root, each rank's count
     * @param displs     at the root, each rank's displacement in {@code send}
     * @param recv       where this rank's block lands
     * @param recvOffset its first element
     * @param count      this rank's number of elements
     * @param root       the scattering rank
     * @return the request
     */
    public Request iscatterv(final double[] send, final int[] counts, final int[] displs, final double[] recv,
        final int recvOffset, final int count, final int root)
    {
        range(recv.length, recvOffset, count, "double");
        if (rank == root(root))
        {
            layout("scatterv", (send == null ? 0 : send.length), counts, displs);
        }
        check("iscatterv", -1, root, null, recv);
        checkCounts("iscatterv", root, count, counts);
        return Exchange.linearScatterv(nextChannel(), send, counts, displs, recv, recvOffset, count, root).start();
    }

    /**
     * Starts {@link #allgather} without waiting (MPI_Iallgather); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      elements per rank
     * @param recv       room for {@code size() * count} elements
     * @param recvOffset its first element
     * @return the request
     */
    public Request iallgather(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int recvOffset)
    {
        return allgatherBlocks(send, sendOffset, count, recv, recvOffset);
    }

    /**
     * Starts {@link #allgatherv} without waiting (MPI_Iallgatherv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's block
     * @param sendOffset its first element
     * @param count      its number of elements
     * @param recv       where rank r's block lands at {@code displs[r]}
     * @param counts     each rank's count, the same on every rank
     * @param displs     each rank's displacement
     * @return the request
     */
    public Request iallgatherv(final double[] send, final int sendOffset, final int count, final double[] recv,
        final int[] counts, final int[] displs)
    {
        range(send.length, sendOffset, count, "double");
        layout("allgatherv", recv.length, counts, displs);
        if (counts[rank] != count)
        {
            throw new CohortException("allgatherv: rank " + rank + " sends " + count + " elements but counts["
                + rank + "] is " + counts[rank]);
        }
        check("iallgatherv", -1, -1, null, send);
        checkCounts("iallgatherv", -1, count, counts);
        return Exchange.ringAllgatherv(nextChannel(), send, sendOffset, count, recv, counts, displs).start();
    }

    /**
     * Starts {@link #alltoall} without waiting (MPI_Ialltoall); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       {@code size() * count} elements, the block for rank r at {@code sendOffset + r * count}
     * @param sendOffset its first element
     * @param recv       room for {@code size() * count} elements, rank r's at {@code recvOffset + r * count}
     *                   (may be {@code send}: in place)
     * @param recvOffset its first element
     * @param count      elements per pair of ranks
     * @return the request
     */
    public Request ialltoall(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count)
    {
        return alltoallBlocks(send, sendOffset, recv, recvOffset, count);
    }

    /**
     * Starts {@link #alltoallv} without waiting (MPI_Ialltoallv); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       the blocks to send
     * @param sendCounts the count for each rank
     * @param sendDispls the displacement of each rank's block in {@code send}
     * @param recv       where the blocks land (may be {@code send}: in place)
     * @param recvCounts the count from each rank
     * @param recvDispls the displacement of each rank's block in {@code recv}
     * @return the request
     */
    public Request ialltoallv(final double[] send, final int[] sendCounts, final int[] sendDispls, final double[] recv,
        final int[] recvCounts, final int[] recvDispls)
    {
        layout("alltoallv send", send.length, sendCounts, sendDispls);
        layout("alltoallv receive", recv.length, recvCounts, recvDispls);
        check("ialltoallv", -1, -1, null, send);
        checkAlltoallvCounts(sendCounts, recvCounts);
        return Exchange.pairwiseAlltoallv(nextChannel(), unaliased(send, recv), sendCounts, sendDispls, recv,
            recvCounts, recvDispls).start();
    }

    /**
     * Starts {@link #scan} without waiting (MPI_Iscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iscan(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "int");
        range(recv.length, recvOffset, count, "int");
        final ReduceOperation operation = operation(op, send);
        check("iscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start();
    }

    /**
     * Starts {@link #exscan} without waiting (MPI_Iexscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iexscan(final int[] send, final int sendOffset, final int[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "int");
        range(recv.length, recvOffset, count, "int");
        final ReduceOperation operation = operation(op, send);
        check("iexscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start();
    }

    /**
     * Starts {@link #scan} without waiting (MPI_Iscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iscan(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "long");
        range(recv.length, recvOffset, count, "long");
        final ReduceOperation operation = operation(op, send);
        check("iscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start();
    }

    /**
     * Starts {@link #exscan} without waiting (MPI_Iexscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iexscan(final long[] send, final int sendOffset, final long[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "long");
        range(recv.length, recvOffset, count, "long");
        final ReduceOperation operation = operation(op, send);
        check("iexscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start();
    }

    /**
     * Starts {@link #scan} without waiting (MPI_Iscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iscan(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "float");
        range(recv.length, recvOffset, count, "float");
        final ReduceOperation operation = operation(op, send);
        check("iscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start();
    }

    /**
     * Starts {@link #exscan} without waiting (MPI_Iexscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iexscan(final float[] send, final int sendOffset, final float[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "float");
        range(recv.length, recvOffset, count, "float");
        final ReduceOperation operation = operation(op, send);
        check("iexscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start();
    }

    /**
     * Starts {@link #scan} without waiting (MPI_Iscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iscan(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "double");
        range(recv.length, recvOffset, count, "double");
        final ReduceOperation operation = operation(op, send);
        check("iscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, true).start();
    }

    /**
     * Starts {@link #exscan} without waiting (MPI_Iexscan); the buffers must not be touched until the
     * request completes. Collective.
     *
     * @param send       this rank's contribution
     * @param sendOffset its first element
     * @param recv       where the prefix lands
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @return the request
     */
    public Request iexscan(final double[] send, final int sendOffset, final double[] recv, final int recvOffset,
        final int count, final ReduceOperation op)
    {
        range(send.length, sendOffset, count, "double");
        range(recv.length, recvOffset, count, "double");
        final ReduceOperation operation = operation(op, send);
        check("iexscan", count, -1, operation, send);
        return Reduction.recursiveDoublingScan(nextChannel(), send, sendOffset, recv, recvOffset, count,
            operation, false).start();
    }
}

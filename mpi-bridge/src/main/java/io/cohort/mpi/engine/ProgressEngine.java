package io.cohort.mpi.engine;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.CohortException;
import io.cohort.mpi.PeerFailedException;
import io.cohort.mpi.Status;
import io.cohort.mpi.TruncationException;
import io.cohort.transport.FrameHandler;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;

import static io.cohort.mpi.engine.FrameLayout.CONTEXT_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.CTRL_SEND_ID_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.CTS;
import static io.cohort.mpi.engine.FrameLayout.CTS_DIRECT;
import static io.cohort.mpi.engine.FrameLayout.CTS_FRAME;
import static io.cohort.mpi.engine.FrameLayout.CTS_RECV_ID_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.DATA;
import static io.cohort.mpi.engine.FrameLayout.DATA_FRAME;
import static io.cohort.mpi.engine.FrameLayout.DATA_LENGTH_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.DATA_POSITION_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.DATA_RECV_ID_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.DATA_SLOT_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.DIRECT_DONE;
import static io.cohort.mpi.engine.FrameLayout.DIRECT_DONE_FRAME;
import static io.cohort.mpi.engine.FrameLayout.DONE_LENGTH_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.DONE_RECV_ID_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.EAGER;
import static io.cohort.mpi.engine.FrameLayout.EAGER_HEADER;
import static io.cohort.mpi.engine.FrameLayout.EAGER_SYNC;
import static io.cohort.mpi.engine.FrameLayout.EAGER_SYNC_HEADER;
import static io.cohort.mpi.engine.FrameLayout.FIN;
import static io.cohort.mpi.engine.FrameLayout.FIN_FRAME;
import static io.cohort.mpi.engine.FrameLayout.RTS;
import static io.cohort.mpi.engine.FrameLayout.RTS_FRAME;
import static io.cohort.mpi.engine.FrameLayout.RTS_LENGTH_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.RTS_REGION_DATA_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.RTS_REGION_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.SEND_ID_OFFSET;
import static io.cohort.mpi.engine.FrameLayout.TAG_OFFSET;

/**
 * The point-to-point engine of one rank: it starts sends (eager, or rendezvous by size), posts receives, polls
 * the transports, dispatches each frame, and waits. Progress is made by whichever call waits or tests; there is
 * no helper thread. Steady traffic allocates nothing: operations for blocking calls and unexpected-message
 * envelopes are pooled.
 *
 * <p>Not thread-safe: one thread per rank (MPI_THREAD_FUNNELED).
 */
public final class ProgressEngine implements FrameHandler
{
    private static final int POLL_LIMIT = 64;
    private static final long PEER_CHECK_INTERVAL_NS = 20_000_000L;
    private static final int SHARED_MEMORY_YIELDS = 100_000;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final int rank;
    private final int size;
    private final Transport[] transports;
    private final Transport[] transportOfPeer;
    private final EngineConfig config;
    private final WaitPolicy waitPolicy;
    /**
     * How a rank waits for a flag in shared memory: no transport can wake it for one, and the rank it waits for
     * shares its host and maybe its core, so it spins briefly (COHORT_SHM_WAIT_SPINS: 100 rounds, some 50 us, or 10
     * with more ranks than cores, where the awaited rank is often not running) and then yields for
     * long (about 30 ms on an idle host) before parking. With the usual policy (2000 spins, 200 yields, then parks)
     * a bcast root four slots ahead and its receiver spun and parked by turns: 1.3 ms per 64-byte bcast on a
     * 2-core host with other work, against 0.4 us with this one.
     */
    private final WaitPolicy sharedMemoryWait;
    private final Matcher matcher = new Matcher();
    private final OperationTable table = new OperationTable();
    private Operation[] operationPool = new Operation[16];
    private int pooledOperations;
    private final ArrayDeque<Envelope> envelopePool = new ArrayDeque<>();
    private final Operation[] pendingHead;
    private final Operation[] pendingTail;
    private final ControlQueue[] control;
    private Operation streamsHead;
    private Progressable[] schedules = new Progressable[4];
    private int scheduleCount;
    private boolean advancing;
    private int backlog;
    private long lastPeerCheck;
    private int pollsSincePeerCheck;
    private boolean closed;

    /**
     * An engine over connected transports.
     *
     * @param rank            this rank in the world
     * @param size            ranks in the world
     * @param transports      the transports in use, each polled for incoming frames
     * @param transportOfPeer the transport that reaches each peer (null for this rank itself)
     * @param config          tunables
     */
    public ProgressEngine(final int rank, final int size, final Transport[] transports,
        final Transport[] transportOfPeer, final EngineConfig config)
    {
        this.rank = rank;
        this.size = size;
        this.transports = transports.clone();
        this.transportOfPeer = transportOfPeer.clone();
        this.config = config;
        this.waitPolicy = waitPolicy(transports, config);
        this.sharedMemoryWait = new WaitPolicy(new EngineConfig(config.eagerLimit(), config.sharedMemorySpins(),
            Math.max(config.yields(), SHARED_MEMORY_YIELDS), config.maxParkMicros(), config.crossMemoryMin(),
            config.wakingSpinMicros()));
        this.pendingHead = new Operation[size];
        this.pendingTail = new Operation[size];
        this.control = new ControlQueue[size];
        for (final Transport transport : transports)
        {
            config.check(transport.maxFrameLength());
        }
    }

    /**
     * How a waiting rank parks: in a transport that wakes it when a frame arrives (a socket), if one is in use,
     * else in the scheduler. Shared memory cannot wake a thread, but its waits are bounded by the park period.
     * Only if every transport wakes the rank may the policy cut spinning short (see {@link WaitPolicy}).
     */
    private WaitPolicy waitPolicy(final Transport[] polled, final EngineConfig engineConfig)
    {
        Transport waking = null;
        boolean allWake = polled.length > 0;
        for (final Transport transport : polled)
        {
            if (transport.wakesOnArrival())
            {
                waking = waking == null ? transport : waking;
            }
            else
            {
                allWake = false;
            }
        }
        if (waking == null)
        {
            return new WaitPolicy(engineConfig);
        }
        final Transport parkIn = waking;
        // Frames delivered while parked count as work, so the policy spins again: the peer is active.
        return new WaitPolicy(engineConfig, nanos -> parkIn.awaitFrames(this, POLL_LIMIT, nanos), allWake,
            System::nanoTime);
    }

    /**
     * This engine's rank in the world.
     *
     * @return the world rank
     */
    public int rank()
    {
        return rank;
    }

    /**
     * The number of ranks in the world.
     *
     * @return the world size
     */
    public int size()
    {
        return size;
    }

    // ---------------------------------------------------------------------------------------------- operations

    /**
     * Borrows an operation for a blocking call; give it back with {@link #release}.
     *
     * @return a pooled operation
     */
    public Operation acquire()
    {
        checkOpen();
        if (pooledOperations == 0)
        {
            final Operation fresh = new Operation(this);
            fresh.pooled = true;
            return fresh;
        }
        return operationPool[--pooledOperations];
    }

    /**
     * Returns a pooled operation.
     *
     * @param op an operation from {@link #acquire}
     */
    public void release(final Operation op)
    {
        if (op.pooled)
        {
            op.segment = null;
            op.array = null;
            if (pooledOperations == operationPool.length)
            {
                operationPool = java.util.Arrays.copyOf(operationPool, pooledOperations * 2);
            }
            operationPool[pooledOperations++] = op;
        }
    }

    /**
     * A new operation for a nonblocking call: it becomes the caller's {@code Request}.
     *
     * @return a fresh operation
     */
    public Operation newOperation()
    {
        checkOpen();
        return new Operation(this);
    }

    /**
     * Prepares a send of a segment.
     *
     * @param op      the operation
     * @param buffer  the data
     * @param dest    the destination world rank
     * @param tag     the tag
     * @param context the communicator's context
     * @param sync    synchronous (completes only once matched)
     * @param map     world-to-communicator rank map, for messages
     */
    public void prepareSend(final Operation op, final MemorySegment buffer, final int dest, final int tag,
        final int context, final boolean sync, final int[] map)
    {
        op.reset(Operation.SEND, dest, tag, context, map);
        op.buffer(buffer);
        op.sync = sync;
    }

    /**
     * Prepares a send of part of a primitive array.
     *
     * @param op      the operation
     * @param array   the array
     * @param layout  its element layout (unaligned)
     * @param index   the first element
     * @param count   the number of elements
     * @param dest    the destination world rank
     * @param tag     the tag
     * @param context the communicator's context
     * @param sync    synchronous
     * @param map     world-to-communicator rank map
     */
    public void prepareSend(final Operation op, final Object array, final ValueLayout layout, final int index,
        final int count, final int dest, final int tag, final int context, final boolean sync, final int[] map)
    {
        op.reset(Operation.SEND, dest, tag, context, map);
        op.buffer(array, layout, index, count);
        op.sync = sync;
    }

    /**
     * Prepares a receive into a segment.
     *
     * @param op      the operation
     * @param buffer  where the message lands; its size is the capacity
     * @param source  the source world rank or {@link Cohort#ANY_SOURCE}
     * @param tag     the tag or {@link Cohort#ANY_TAG}
     * @param context the communicator's context
     * @param map     world-to-communicator rank map
     */
    public void prepareRecv(final Operation op, final MemorySegment buffer, final int source, final int tag,
        final int context, final int[] map)
    {
        op.reset(Operation.RECV, source, tag, context, map);
        op.buffer(buffer);
    }

    /**
     * Prepares a receive into part of a primitive array.
     *
     * @param op      the operation
     * @param array   the array
     * @param layout  its element layout (unaligned)
     * @param index   the first element
     * @param count   the capacity in elements
     * @param source  the source world rank or {@link Cohort#ANY_SOURCE}
     * @param tag     the tag or {@link Cohort#ANY_TAG}
     * @param context the communicator's context
     * @param map     world-to-communicator rank map
     */
    public void prepareRecv(final Operation op, final Object array, final ValueLayout layout, final int index,
        final int count, final int source, final int tag, final int context, final int[] map)
    {
        op.reset(Operation.RECV, source, tag, context, map);
        op.buffer(array, layout, index, count);
    }

    // ---------------------------------------------------------------------------------------------- sending

    /**
     * Starts a prepared send: at once if the peer's buffer has room and nothing is queued before it.
     *
     * @param op a prepared send
     */
    public void startSend(final Operation op)
    {
        final int dest = op.peer;
        if (dest == rank)
        {
            sendToSelf(op);
        }
        else if (pendingHead[dest] != null || !trySendFirstFrame(op))
        {
            enqueuePending(op);
        }
    }

    private boolean trySendFirstFrame(final Operation op)
    {
        final int dest = op.peer;
        final Transport transport = transportOfPeer[dest];
        final long length = op.bytes;
        if (length <= config.eagerLimit())
        {
            final int header = op.sync ? EAGER_SYNC_HEADER : EAGER_HEADER;
            final int at = transport.tryClaim(dest, op.sync ? EAGER_SYNC : EAGER, header + (int) length);
            if (at == Transport.BACK_PRESSURED)
            {
                return false;
            }
            final MemorySegment out = transport.frameBuffer(dest);
            out.set(INT, at + CONTEXT_OFFSET, op.context);
            out.set(INT, at + TAG_OFFSET, op.tag);
            if (op.sync)
            {
                out.set(LONG, at + SEND_ID_OFFSET, table.register(op));
            }
            copyOrAbort(op, 0, out, at + header, length, transport, dest, at);
            transport.commit(dest, at);
            if (op.sync)
            {
                op.state = Operation.ACTIVE;
            }
            else
            {
                complete(op);
            }
            return true;
        }
        final int at = transport.tryClaim(dest, RTS, RTS_FRAME);
        if (at == Transport.BACK_PRESSURED)
        {
            return false;
        }
        final MemorySegment out = transport.frameBuffer(dest);
        int region = op.segment == null ? FrameLayout.NO_REGION : transport.regionOf(op.segment);
        long regionOffset = region < 0 ? 0 : op.segment.address() - transport.regionBase(region);
        if (region < 0 && offersProcessMemory(op, transport))
        {
            region = FrameLayout.PROCESS_MEMORY;
            regionOffset = op.segment.address();
        }
        out.set(INT, at + CONTEXT_OFFSET, op.context);
        out.set(INT, at + TAG_OFFSET, op.tag);
        out.set(LONG, at + SEND_ID_OFFSET, table.register(op));
        out.set(LONG, at + RTS_LENGTH_OFFSET, length);
        out.set(INT, at + RTS_REGION_OFFSET, region);
        out.set(LONG, at + RTS_REGION_DATA_OFFSET, regionOffset);
        transport.commit(dest, at);
        op.state = Operation.ACTIVE;
        return true;
    }

    private boolean offersProcessMemory(final Operation op, final Transport transport)
    {
        final long threshold = config.crossMemoryMin();
        return threshold >= 0 && op.bytes >= threshold && op.segment != null && op.segment.isNative()
            && transport.canReadProcessMemory(op.peer);
    }

    /** Copies a send's data into claimed memory; if that fails (the buffer's memory was freed) the claim is undone. */
    private static void copyOrAbort(final Operation op, final long position, final MemorySegment dst,
        final long dstOffset, final long length, final Transport transport, final int dest, final int claim)
    {
        try
        {
            op.copyOut(position, dst, dstOffset, length);
        }
        catch (final RuntimeException ex)
        {
            transport.abortClaim(dest, claim);
            throw ex;
        }
    }

    private void enqueuePending(final Operation op)
    {
        final int dest = op.peer;
        op.prev = pendingTail[dest];
        op.next = null;
        if (pendingTail[dest] == null)
        {
            pendingHead[dest] = op;
        }
        else
        {
            pendingTail[dest].next = op;
        }
        pendingTail[dest] = op;
        backlog++;
    }

    private void unlinkPending(final Operation op)
    {
        final int dest = op.peer;
        if (op.prev == null)
        {
            pendingHead[dest] = op.next;
        }
        else
        {
            op.prev.next = op.next;
        }
        if (op.next == null)
        {
            pendingTail[dest] = op.prev;
        }
        else
        {
            op.next.prev = op.prev;
        }
        op.prev = null;
        op.next = null;
        backlog--;
    }

    private void sendToSelf(final Operation op)
    {
        final Operation recv = matcher.takePosted(op.context, rank, op.tag);
        if (recv != null)
        {
            land(recv, rank, op.tag, op.view(), 0, op.bytes);
            complete(op);
            return;
        }
        final Envelope env = takeEnvelope();
        env.kind = Envelope.EAGER;
        env.source = rank;
        env.tag = op.tag;
        env.context = op.context;
        env.length = op.bytes;
        env.ensureCapacity(op.bytes);
        op.copyOut(0, env.data, 0, op.bytes);
        matcher.addUnexpected(env);
        if (op.sync)
        {
            env.selfSender = op;
            op.state = Operation.ACTIVE;
        }
        else
        {
            complete(op);
        }
    }

    private void sendControl(final int peer, final int type, final long first, final long second)
    {
        final ControlQueue queue = control[peer];
        if ((queue == null || queue.isEmpty()) && tryWriteControl(peer, type, first, second))
        {
            return;
        }
        if (queue == null)
        {
            control[peer] = new ControlQueue();
        }
        control[peer].add(type, first, second);
        backlog++;
    }

    private boolean tryWriteControl(final int peer, final int type, final long first, final long second)
    {
        final Transport transport = transportOfPeer[peer];
        final boolean cts = type == CTS || type == CTS_DIRECT;
        final int at = transport.tryClaim(peer, type, cts ? CTS_FRAME : FIN_FRAME);
        if (at == Transport.BACK_PRESSURED)
        {
            return false;
        }
        final MemorySegment out = transport.frameBuffer(peer);
        out.set(LONG, at + CTRL_SEND_ID_OFFSET, first);
        if (cts)
        {
            out.set(LONG, at + CTS_RECV_ID_OFFSET, second);
        }
        transport.commit(peer, at);
        return true;
    }

    // ---------------------------------------------------------------------------------------------- receiving

    /**
     * Starts a prepared receive: it takes the oldest matching unexpected message, or is posted.
     *
     * @param op a prepared receive
     */
    public void startRecv(final Operation op)
    {
        final Envelope env = matcher.takeUnexpected(op.context, op.peer, op.tag);
        if (env == null)
        {
            matcher.post(op);
            return;
        }
        if (env.kind == Envelope.EAGER)
        {
            land(op, env.source, env.tag, env.data, 0, env.length);
            if (env.selfSender != null)
            {
                complete(env.selfSender);
            }
            else if (env.sync)
            {
                sendControl(env.source, FIN, env.sendId, 0);
            }
        }
        else
        {
            startRendezvousReceive(op, env.source, env.tag, env.sendId, env.length, env.regionId, env.regionOffset);
        }
        releaseEnvelope(env);
    }

    /**
     * Looks for a message a receive with this source and tag would match, without receiving it (MPI_Iprobe).
     *
     * @param source  world rank or {@link Cohort#ANY_SOURCE}
     * @param tag     tag or {@link Cohort#ANY_TAG}
     * @param context the communicator's context
     * @param map     world-to-communicator rank map
     * @param into    filled with the message's source, tag and size when one is found
     * @return true if a message is there
     */
    public boolean iprobe(final int source, final int tag, final int context, final int[] map, final Status into)
    {
        progress();
        final Envelope env = matcher.peekUnexpected(context, source, tag);
        if (env == null)
        {
            return false;
        }
        into.set(map[env.source], env.tag, env.length, false);
        return true;
    }

    /**
     * Waits for a message a receive with this source and tag would match (MPI_Probe).
     *
     * @param source  world rank or {@link Cohort#ANY_SOURCE}
     * @param tag     tag or {@link Cohort#ANY_TAG}
     * @param context the communicator's context
     * @param map     world-to-communicator rank map
     * @param into    filled with the message's source, tag and size
     */
    public void probe(final int source, final int tag, final int context, final int[] map, final Status into)
    {
        waitPolicy.reset();
        while (!iprobe(source, tag, context, map, into))
        {
            if (waitPolicy.idle() && System.nanoTime() - lastPeerCheck >= PEER_CHECK_INTERVAL_NS)
            {
                lastPeerCheck = System.nanoTime();
                final int failed = failedPeerFor(source);
                if (failed >= 0 && !iprobe(source, tag, context, map, into))
                {
                    throw new PeerFailedException(failed, "rank " + rank + " probes for a message from "
                        + describeSource(source, map) + " (tag " + tag + "), but " + describePeer(failed));
                }
            }
        }
    }

    /**
     * Cancels a receive that has not matched yet.
     *
     * @param op the receive
     * @return true if it was cancelled
     */
    public boolean cancel(final Operation op)
    {
        if (op.kind == Operation.RECV && op.state == Operation.QUEUED && matcher.removePosted(op))
        {
            op.state = Operation.CANCELLED;
            op.statusSource = -1;
            op.statusTag = -1;
            op.statusBytes = 0;
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------- frames

    @Override
    public void onFrame(final int peer, final int frameType, final MemorySegment buffer, final long offset,
        final int length)
    {
        switch (frameType)
        {
            case EAGER -> onEager(peer, buffer, offset, length, false);
            case EAGER_SYNC -> onEager(peer, buffer, offset, length, true);
            case RTS -> onRts(peer, buffer, offset);
            case CTS -> onCts(buffer, offset, false);
            case CTS_DIRECT -> onCts(buffer, offset, true);
            case DATA -> onData(peer, buffer, offset);
            case DIRECT_DONE -> onDirectDone(peer, buffer, offset);
            case FIN -> onFin(buffer, offset);
            default -> throw new CohortException("rank " + rank + " received a frame of unknown type " + frameType
                + " from rank " + peer + ": are all ranks running the same Cohort version?");
        }
    }

    private void onEager(final int peer, final MemorySegment buffer, final long offset, final int length,
        final boolean sync)
    {
        final int context = buffer.get(INT, offset + CONTEXT_OFFSET);
        final int tag = buffer.get(INT, offset + TAG_OFFSET);
        final int header = sync ? EAGER_SYNC_HEADER : EAGER_HEADER;
        final long sendId = sync ? buffer.get(LONG, offset + SEND_ID_OFFSET) : 0;
        final int payload = length - header;
        final Operation op = matcher.takePosted(context, peer, tag);
        if (op != null)
        {
            land(op, peer, tag, buffer, offset + header, payload);
            if (sync)
            {
                sendControl(peer, FIN, sendId, 0);
            }
            return;
        }
        final Envelope env = takeEnvelope();
        env.kind = Envelope.EAGER;
        env.source = peer;
        env.tag = tag;
        env.context = context;
        env.length = payload;
        env.sync = sync;
        env.sendId = sendId;
        env.ensureCapacity(payload);
        MemorySegment.copy(buffer, offset + header, env.data, 0, payload);
        matcher.addUnexpected(env);
    }

    private void onRts(final int peer, final MemorySegment buffer, final long offset)
    {
        final int context = buffer.get(INT, offset + CONTEXT_OFFSET);
        final int tag = buffer.get(INT, offset + TAG_OFFSET);
        final long sendId = buffer.get(LONG, offset + SEND_ID_OFFSET);
        final long length = buffer.get(LONG, offset + RTS_LENGTH_OFFSET);
        final int region = buffer.get(INT, offset + RTS_REGION_OFFSET);
        final long regionOffset = buffer.get(LONG, offset + RTS_REGION_DATA_OFFSET);
        final Operation op = matcher.takePosted(context, peer, tag);
        if (op != null)
        {
            startRendezvousReceive(op, peer, tag, sendId, length, region, regionOffset);
            return;
        }
        final Envelope env = takeEnvelope();
        env.kind = Envelope.RENDEZVOUS;
        env.source = peer;
        env.tag = tag;
        env.context = context;
        env.length = length;
        env.sendId = sendId;
        env.regionId = region;
        env.regionOffset = regionOffset;
        matcher.addUnexpected(env);
    }

    private void startRendezvousReceive(final Operation op, final int peer, final int tag, final long sendId,
        final long length, final int region, final long regionOffset)
    {
        if (!fits(op, peer, tag, length))
        {
            sendControl(peer, FIN, sendId, 0);
            return;
        }
        if (region >= 0)
        {
            // Single copy: read the sender's registered memory in place, then tell it its buffer is free.
            try
            {
                op.copyIn(transportOfPeer[peer].remoteRegion(peer, region), regionOffset, 0, length);
                finishReceive(op, peer, tag, length);
            }
            catch (final TransportException ex)
            {
                fail(op, new CohortException("rank " + localRank(op, rank) + " could not read a message of " + length
                    + " bytes from rank " + localRank(op, peer) + " (tag " + tag + "): " + ex.getMessage(), ex));
            }
            sendControl(peer, FIN, sendId, 0);
            return;
        }
        if (region == FrameLayout.PROCESS_MEMORY && op.array == null && op.segment.isNative()
            && tryReadProcessMemory(op, peer, regionOffset, length))
        {
            finishReceive(op, peer, tag, length);
            sendControl(peer, FIN, sendId, 0);
            return;
        }
        op.state = Operation.ACTIVE;
        op.statusSource = peer;
        op.statusTag = tag;
        op.expected = length;
        op.transferred = 0;
        op.peer = peer;
        final long recvId = table.register(op);
        final Transport transport = transportOfPeer[peer];
        if (op.array == null && op.segment.isNative() && transport.movesDirect(peer))
        {
            // The bytes can land straight in the receive's memory: the sender writes them from its own if it can.
            transport.expectDirect(peer, recvId, op.segment);
            op.direct = true;
            sendControl(peer, CTS_DIRECT, sendId, recvId);
            return;
        }
        sendControl(peer, CTS, sendId, recvId);
    }

    /** Single copy by the kernel, straight out of the sender's process; false (use fragments) if not permitted. */
    private boolean tryReadProcessMemory(final Operation op, final int peer, final long address, final long length)
    {
        try
        {
            transportOfPeer[peer].readProcessMemory(peer, address, op.segment, length);
            return true;
        }
        catch (final TransportException ex)
        {
            // For example ptrace_scope forbids it: this message, and the job, still get through by fragments.
            return false;
        }
    }

    private void onCts(final MemorySegment buffer, final long offset, final boolean receiverTakesDirect)
    {
        final Operation op = table.get(buffer.get(LONG, offset + CTRL_SEND_ID_OFFSET));
        if (op == null)
        {
            return;
        }
        // Direct when both ends can: the receiver named its memory, and this rank's buffer is native memory the
        // transport can write from (else fragments through the bulk slots, which the receiver also accepts).
        op.direct = receiverTakesDirect && op.segment != null && op.segment.isNative()
            && transportOfPeer[op.peer].movesDirect(op.peer);
        op.remoteId = buffer.get(LONG, offset + CTS_RECV_ID_OFFSET);
        op.transferred = 0;
        op.next = streamsHead;
        op.prev = null;
        if (streamsHead != null)
        {
            streamsHead.prev = op;
        }
        streamsHead = op;
        backlog++;
    }

    private void onData(final int peer, final MemorySegment buffer, final long offset)
    {
        final Operation op = table.get(buffer.get(LONG, offset + DATA_RECV_ID_OFFSET));
        final Transport transport = transportOfPeer[peer];
        if (op == null)
        {
            // The receive was abandoned (its peer failed): the slot must still be freed, in order.
            transport.releaseBulk(peer);
            return;
        }
        final long position = buffer.get(LONG, offset + DATA_POSITION_OFFSET);
        final int payload = buffer.get(INT, offset + DATA_LENGTH_OFFSET);
        op.copyIn(transport.inboundBulk(peer), buffer.get(INT, offset + DATA_SLOT_OFFSET), position, payload);
        transport.releaseBulk(peer);
        op.transferred += payload;
        if (op.transferred == op.expected)
        {
            finishRendezvousReceive(op, transport);
        }
    }

    private void onDirectDone(final int peer, final MemorySegment buffer, final long offset)
    {
        final Operation op = table.get(buffer.get(LONG, offset + DONE_RECV_ID_OFFSET));
        if (op == null)
        {
            // Abandoned: its transfer was forgotten and the bytes dropped.
            return;
        }
        // The transport placed every byte before delivering this frame (they precede it on the connection).
        op.transferred = buffer.get(LONG, offset + DONE_LENGTH_OFFSET);
        finishRendezvousReceive(op, transportOfPeer[peer]);
    }

    private void finishRendezvousReceive(final Operation op, final Transport transport)
    {
        if (op.direct)
        {
            transport.forgetDirect(op.peer, op.id);
        }
        table.remove(op);
        finishReceive(op, op.statusSource, op.statusTag, op.expected);
    }

    private void onFin(final MemorySegment buffer, final long offset)
    {
        final Operation op = table.get(buffer.get(LONG, offset + CTRL_SEND_ID_OFFSET));
        if (op != null)
        {
            table.remove(op);
            complete(op);
        }
    }

    /** Lands a whole message in a receive, checking it fits. */
    private void land(final Operation op, final int source, final int tag, final MemorySegment src, final long offset,
        final long length)
    {
        if (fits(op, source, tag, length))
        {
            op.copyIn(src, offset, 0, length);
            finishReceive(op, source, tag, length);
        }
    }

    private boolean fits(final Operation op, final int source, final int tag, final long length)
    {
        if (length > op.bytes)
        {
            fail(op, new TruncationException("message of " + length + " bytes from rank "
                + localRank(op, source) + " (tag " + tag + ") does not fit the receive buffer of " + op.bytes
                + " bytes at rank " + localRank(op, rank) + "; post a larger buffer, or probe first for the size"));
            return false;
        }
        if (length % op.elementBytes != 0)
        {
            fail(op, new CohortException("message of " + length + " bytes from rank " + localRank(op, source)
                + " (tag " + tag + ") is not a whole number of " + op.elementBytes + "-byte elements of the "
                + "receive buffer; the sender and receiver use different element types"));
            return false;
        }
        return true;
    }

    private static int localRank(final Operation op, final int worldRank)
    {
        return op.worldToLocal == null || worldRank < 0 ? worldRank : op.worldToLocal[worldRank];
    }

    private void finishReceive(final Operation op, final int source, final int tag, final long length)
    {
        op.statusSource = source;
        op.statusTag = tag;
        op.statusBytes = length;
        op.state = Operation.DONE;
    }

    private void complete(final Operation op)
    {
        op.statusSource = rank;
        op.statusTag = op.tag;
        op.statusBytes = op.bytes;
        op.state = Operation.DONE;
    }

    private void fail(final Operation op, final CohortException error)
    {
        op.error = error;
        op.state = Operation.FAILED;
    }

    private Envelope takeEnvelope()
    {
        final Envelope env = envelopePool.pollFirst();
        if (env == null)
        {
            return new Envelope();
        }
        env.sync = false;
        return env;
    }

    private void releaseEnvelope(final Envelope env)
    {
        env.clear();
        envelopePool.addFirst(env);
    }

    // ---------------------------------------------------------------------------------------------- progress

    /**
     * Makes progress once: delivers arrived frames, then writes what was waiting for room.
     *
     * @return how much work was done; 0 means nothing happened
     */
    public int progress()
    {
        if (closed)
        {
            checkOpen();
        }
        int work = 0;
        for (final Transport transport : transports)
        {
            work += transport.poll(this, POLL_LIMIT);
        }
        if (backlog > 0)
        {
            work += flushBacklog();
        }
        if (scheduleCount > 0 && !advancing)
        {
            work += advanceSchedules();
        }
        return work;
    }

    /**
     * Lets the engine advance a nonblocking collective on every progress, until it reports finished.
     *
     * @param schedule the collective's schedule
     */
    public void addProgressable(final Progressable schedule)
    {
        if (scheduleCount == schedules.length)
        {
            schedules = java.util.Arrays.copyOf(schedules, scheduleCount * 2);
        }
        schedules[scheduleCount++] = schedule;
    }

    private int advanceSchedules()
    {
        // A schedule's steps post sends and receives but never call progress; the flag keeps it that way.
        advancing = true;
        int finished = 0;
        try
        {
            for (int i = 0; i < scheduleCount; )
            {
                if (schedules[i].advance())
                {
                    schedules[i] = schedules[--scheduleCount];
                    schedules[scheduleCount] = null;
                    finished++;
                }
                else
                {
                    i++;
                }
            }
        }
        finally
        {
            advancing = false;
        }
        return finished;
    }

    private int flushBacklog()
    {
        int work = 0;
        for (int peer = 0; peer < size; peer++)
        {
            final ControlQueue queue = control[peer];
            while (queue != null && !queue.isEmpty())
            {
                if (!tryWriteControl(peer, queue.type(), queue.first(), queue.second()))
                {
                    break;
                }
                queue.remove();
                backlog--;
                work++;
            }
            Operation op;
            while ((op = pendingHead[peer]) != null && trySendFirstFrame(op))
            {
                unlinkPending(op);
                work++;
            }
        }
        Operation op = streamsHead;
        while (op != null)
        {
            final Operation next = op.next;
            work += pump(op);
            op = next;
        }
        return work;
    }

    private int pump(final Operation op)
    {
        final int dest = op.peer;
        final Transport transport = transportOfPeer[dest];
        if (op.direct)
        {
            return pumpDirect(op, transport, dest);
        }
        final int fragment = transport.bulkSlotLength();
        int frames = 0;
        while (op.transferred < op.bytes)
        {
            final int chunk = (int) Math.min(fragment, op.bytes - op.transferred);
            final int slot = transport.tryClaimBulk(dest);
            if (slot == Transport.BACK_PRESSURED)
            {
                return frames;
            }
            final int at = transport.tryClaim(dest, DATA, DATA_FRAME);
            if (at == Transport.BACK_PRESSURED)
            {
                return frames;
            }
            copyOrAbort(op, op.transferred, transport.bulkBuffer(dest), slot, chunk, transport, dest, at);
            transport.commitBulk(dest, chunk);
            final MemorySegment out = transport.frameBuffer(dest);
            out.set(LONG, at + DATA_RECV_ID_OFFSET, op.remoteId);
            out.set(LONG, at + DATA_POSITION_OFFSET, op.transferred);
            out.set(INT, at + DATA_SLOT_OFFSET, slot);
            out.set(INT, at + DATA_LENGTH_OFFSET, chunk);
            transport.commit(dest, at);
            op.transferred += chunk;
            frames++;
        }
        unlinkStream(op);
        table.remove(op);
        complete(op);
        return frames + 1;
    }

    /** Writes a large message straight from the sender's memory, then DIRECT_DONE; the send completes after it. */
    private int pumpDirect(final Operation op, final Transport transport, final int dest)
    {
        int work = 0;
        while (op.transferred < op.bytes)
        {
            final long taken = transport.writeDirect(dest, op.remoteId, op.segment, op.transferred,
                op.bytes - op.transferred);
            if (taken == 0)
            {
                return work;
            }
            op.transferred += taken;
            work++;
        }
        final int at = transport.tryClaim(dest, DIRECT_DONE, DIRECT_DONE_FRAME);
        if (at == Transport.BACK_PRESSURED)
        {
            return work;
        }
        final MemorySegment out = transport.frameBuffer(dest);
        out.set(LONG, at + DONE_RECV_ID_OFFSET, op.remoteId);
        out.set(LONG, at + DONE_LENGTH_OFFSET, op.bytes);
        transport.commit(dest, at);
        unlinkStream(op);
        table.remove(op);
        complete(op);
        return work + 1;
    }

    private void unlinkStream(final Operation op)
    {
        if (op.prev == null)
        {
            streamsHead = op.next;
        }
        else
        {
            op.prev.next = op.next;
        }
        if (op.next != null)
        {
            op.next.prev = op.prev;
        }
        op.prev = null;
        op.next = null;
        backlog--;
    }

    /**
     * Waits until an operation finishes, making progress; fails it if a peer it depends on is gone.
     *
     * @param op the operation
     */
    public void await(final Operation op)
    {
        if (op.finished())
        {
            return;
        }
        final WaitPolicy wait = waitPolicy;
        wait.reset();
        while (!op.finished())
        {
            if (progress() > 0)
            {
                wait.reset();
                checkPeersWhilePolling(op);
            }
            else if (wait.idle())
            {
                checkPeers(op);
            }
        }
    }

    /**
     * Waits until a condition holds (a peer's flag in shared memory), making progress meanwhile under the same
     * waiting policy as {@link #await}: spin, yield, park. Fails if the awaited peer has finished or died.
     *
     * @param condition what to wait for
     * @throws PeerFailedException if the awaited peer is gone
     */
    public void awaitCondition(final WaitCondition condition)
    {
        if (condition.met())
        {
            return;
        }
        final WaitPolicy wait = sharedMemoryWait;
        wait.reset();
        while (!condition.met())
        {
            if (progress() > 0)
            {
                wait.reset();
            }
            else if (wait.idle() && System.nanoTime() - lastPeerCheck >= PEER_CHECK_INTERVAL_NS)
            {
                lastPeerCheck = System.nanoTime();
                final int peer = condition.awaitedPeer();
                if (failedPeerFor(peer) >= 0 && !condition.met())
                {
                    throw new PeerFailedException(peer, "rank " + rank + " (world) waits for "
                        + condition.describe() + ", but " + describePeer(peer));
                }
            }
        }
    }

    /**
     * The transport that reaches a peer, for the shared-memory collectives: they map peers' regions through it.
     *
     * @param worldPeer a world rank other than this one
     * @return its transport
     */
    public Transport transportOf(final int worldPeer)
    {
        return transportOfPeer[worldPeer];
    }

    /**
     * Waits until one of the requests finishes; a request whose peer is gone fails (and its {@code test} throws).
     *
     * @param requests operations of this engine; null entries are skipped
     * @return the index of a finished request
     */
    int awaitAny(final io.cohort.mpi.Request[] requests)
    {
        final WaitPolicy wait = waitPolicy;
        wait.reset();
        while (true)
        {
            for (int i = 0; i < requests.length; i++)
            {
                if (requests[i] != null && requests[i].test())
                {
                    // As MPI_Waitany sets the request to MPI_REQUEST_NULL: a finished request is not returned twice.
                    requests[i] = null;
                    return i;
                }
            }
            if (progress() > 0)
            {
                wait.reset();
            }
            else if (wait.idle() && System.nanoTime() - lastPeerCheck >= PEER_CHECK_INTERVAL_NS)
            {
                lastPeerCheck = System.nanoTime();
                for (final io.cohort.mpi.Request request : requests)
                {
                    if (request instanceof Operation op && !op.finished())
                    {
                        checkPeerNow(op);
                    }
                }
            }
        }
    }

    /**
     * Runs a blocking call's operation to the end and returns it to the pool.
     *
     * @param op     a started pooled operation
     * @param status filled with the outcome, or null
     */
    public void awaitAndRelease(final Operation op, final Status status)
    {
        try
        {
            await(op);
            if (op.state == Operation.FAILED)
            {
                throw op.error;
            }
            if (status != null)
            {
                op.fillStatus(status);
            }
        }
        finally
        {
            abandon(op);
        }
    }

    /**
     * Returns a pooled operation that its caller gives up on (an exception interrupted the wait): if it is still
     * queued or awaited anywhere it is unlinked first, so a recycled operation is never matched twice.
     *
     * @param op a pooled operation
     */
    public void abandon(final Operation op)
    {
        if (!op.finished())
        {
            detach(op);
            fail(op, new CohortException("operation abandoned: " + op));
        }
        release(op);
    }

    /**
     * Checks on the peers an unfinished operation depends on, at most every few milliseconds: for callers that
     * poll with {@code test()} rather than wait, and for waits that traffic from other ranks keeps busy.
     *
     * @param op an operation that is not finished
     */
    void checkPeersWhilePolling(final Operation op)
    {
        if ((++pollsSincePeerCheck & 1023) == 0)
        {
            checkPeers(op);
        }
    }

    private void checkPeers(final Operation op)
    {
        final long now = System.nanoTime();
        if (now - lastPeerCheck >= PEER_CHECK_INTERVAL_NS)
        {
            lastPeerCheck = now;
            checkPeerNow(op);
        }
    }

    private void checkPeerNow(final Operation op)
    {
        final int failed = failedPeerFor(op.peer);
        if (failed < 0)
        {
            return;
        }
        // Whatever the peer sent before it went is already in our rings: drain them before giving up.
        while (progress() > 0)
        {
            Thread.onSpinWait();
        }
        if (op.finished())
        {
            return;
        }
        detach(op);
        fail(op, new PeerFailedException(failed, "rank " + localRank(op, rank) + " waits to "
            + (op.kind == Operation.SEND ? "send to rank " + localRank(op, op.peer)
            : "receive from " + describeSource(op.peer, op.worldToLocal)) + " (tag " + op.tag + "), but "
            + describePeer(failed)));
    }

    private int failedPeerFor(final int peer)
    {
        if (peer >= 0)
        {
            return peer == rank || transportOfPeer[peer].peerState(peer) == Transport.PEER_ALIVE ? -1 : peer;
        }
        int finished = 0;
        int lastFinished = -1;
        for (int p = 0; p < size; p++)
        {
            if (p != rank)
            {
                final int state = transportOfPeer[p].peerState(p);
                if (state == Transport.PEER_FAILED)
                {
                    return p;
                }
                if (state == Transport.PEER_FINISHED)
                {
                    finished++;
                    lastFinished = p;
                }
            }
        }
        return finished == size - 1 && size > 1 ? lastFinished : -1;
    }

    private String describePeer(final int worldRank)
    {
        final int state = transportOfPeer[worldRank].peerState(worldRank);
        return "world rank " + worldRank + (state == Transport.PEER_FINISHED
            ? " has already finished (closed Cohort)" : " died (it exited, was killed, or failed)");
    }

    private static String describeSource(final int source, final int[] map)
    {
        return source == Cohort.ANY_SOURCE ? "any rank" : "rank " + (map == null ? source : map[source]);
    }

    private void detach(final Operation op)
    {
        if (op.kind == Operation.RECV && op.state == Operation.QUEUED)
        {
            matcher.removePosted(op);
        }
        else if (op.kind == Operation.SEND && op.state == Operation.QUEUED && op.peer != rank)
        {
            unlinkPending(op);
        }
        else if (op.kind == Operation.SEND && op.remoteId != 0)
        {
            unlinkStream(op);
        }
        if (op.kind == Operation.RECV && op.direct && op.id != 0 && op.peer >= 0 && op.peer != rank)
        {
            // Its memory may be freed once it is given up: bytes still coming for it are dropped.
            transportOfPeer[op.peer].forgetDirect(op.peer, op.id);
        }
        table.remove(op);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new CohortException("rank " + rank + " has closed its Cohort handle; no more calls can be made");
        }
    }

    /** Marks the engine closed: any later call raises instead of touching unmapped memory. */
    public void markClosed()
    {
        closed = true;
    }

    /**
     * Writes out every queued send and control frame, so a closing rank leaves nothing half-said. Gives up on a
     * peer that is gone.
     */
    public void drain()
    {
        final WaitPolicy wait = waitPolicy;
        wait.reset();
        while (backlog > 0)
        {
            if (progress() > 0)
            {
                wait.reset();
            }
            else if (wait.idle() && !anyLivePeerWithBacklog())
            {
                return;
            }
        }
    }

    private boolean anyLivePeerWithBacklog()
    {
        for (int peer = 0; peer < size; peer++)
        {
            boolean queued = (control[peer] != null && !control[peer].isEmpty()) || pendingHead[peer] != null;
            for (Operation op = streamsHead; op != null && !queued; op = op.next)
            {
                queued = op.peer == peer;
            }
            if (queued && transportOfPeer[peer].peerState(peer) == Transport.PEER_ALIVE)
            {
                return true;
            }
        }
        return false;
    }

    /** Control frames (CTS, FIN) that found a peer's ring full, in order: a growable ring of (type, id, id). */
    private static final class ControlQueue
    {
        private long[] entries = new long[3 * 16];
        private int head;
        private int count;

        boolean isEmpty()
        {
            return count == 0;
        }

        void add(final int type, final long first, final long second)
        {
            if (3 * (count + 1) > entries.length)
            {
                final long[] grown = new long[entries.length * 2];
                for (int i = 0; i < count; i++)
                {
                    final int from = (head + 3 * i) % entries.length;
                    System.arraycopy(entries, from, grown, 3 * i, 3);
                }
                entries = grown;
                head = 0;
            }
            final int at = (head + 3 * count) % entries.length;
            entries[at] = type;
            entries[at + 1] = first;
            entries[at + 2] = second;
            count++;
        }

        int type()
        {
            return (int) entries[head];
        }

        long first()
        {
            return entries[head + 1];
        }

        long second()
        {
            return entries[head + 2];
        }

        void remove()
        {
            head = (head + 3) % entries.length;
            count--;
        }
    }
}

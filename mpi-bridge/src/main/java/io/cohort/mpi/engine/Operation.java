package io.cohort.mpi.engine;

import io.cohort.mpi.CohortException;
import io.cohort.mpi.Request;
import io.cohort.mpi.Status;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One send or receive in flight: its addressing, its buffer, and its protocol state. It is the {@link Request}
 * job code holds for a nonblocking call; blocking calls borrow one from the engine's pool, so they allocate
 * nothing. The {@code prev}/{@code next} links thread it through exactly one queue at a time (posted receives,
 * a peer's pending sends, or the active streams).
 *
 * <p>Not thread-safe.
 */
public final class Operation implements Request
{
    static final int SEND = 1;
    static final int RECV = 2;

    static final int QUEUED = 0;
    static final int ACTIVE = 1;
    static final int DONE = 2;
    static final int FAILED = 3;
    static final int CANCELLED = 4;

    final ProgressEngine engine;
    int kind;
    int state;
    long id;
    boolean sync;
    boolean pooled;
    /** Its large message moves directly between the ranks' memories (the transport's writeDirect/expectDirect). */
    boolean direct;

    int peer;
    int tag;
    int context;
    int[] worldToLocal;

    MemorySegment segment;
    Object array;
    ValueLayout layout;
    int arrayIndex;
    int elementBytes;
    long bytes;

    long remoteId;
    long transferred;
    long expected;

    int statusSource;
    int statusTag;
    long statusBytes;
    CohortException error;
    private Status status;

    Operation prev;
    Operation next;

    Operation(final ProgressEngine engine)
    {
        this.engine = engine;
    }

    void reset(final int kind, final int peer, final int tag, final int context, final int[] worldToLocal)
    {
        this.kind = kind;
        this.state = QUEUED;
        this.id = 0;
        this.sync = false;
        this.direct = false;
        this.peer = peer;
        this.tag = tag;
        this.context = context;
        this.worldToLocal = worldToLocal;
        this.segment = null;
        this.array = null;
        this.layout = null;
        this.transferred = 0;
        this.expected = 0;
        this.remoteId = 0;
        this.error = null;
        this.prev = null;
        this.next = null;
    }

    void buffer(final MemorySegment segment)
    {
        this.segment = segment;
        this.array = null;
        this.elementBytes = 1;
        this.bytes = segment.byteSize();
    }

    void buffer(final Object array, final ValueLayout layout, final int index, final int count)
    {
        this.segment = null;
        this.array = array;
        this.layout = layout;
        this.arrayIndex = index;
        this.elementBytes = (int) layout.byteSize();
        this.bytes = (long) count * elementBytes;
    }

    /** Copies bytes from memory into this operation's buffer at a byte position (a receive landing). */
    void copyIn(final MemorySegment src, final long srcOffset, final long position, final long length)
    {
        if (array == null)
        {
            if (length == Long.BYTES)
            {
                // The commonest small message; a single load and store beat the bulk copy's set-up.
                segment.set(ValueLayout.JAVA_LONG_UNALIGNED, position,
                    src.get(ValueLayout.JAVA_LONG_UNALIGNED, srcOffset));
                return;
            }
            MemorySegment.copy(src, srcOffset, segment, position, length);
        }
        else
        {
            MemorySegment.copy(src, layout, srcOffset, array, arrayIndex + (int) (position / elementBytes),
                (int) (length / elementBytes));
        }
    }

    /** Copies bytes from this operation's buffer at a byte position out to memory (a send leaving). */
    void copyOut(final long position, final MemorySegment dst, final long dstOffset, final long length)
    {
        if (array == null)
        {
            if (length == Long.BYTES)
            {
                dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOffset,
                    segment.get(ValueLayout.JAVA_LONG_UNALIGNED, position));
                return;
            }
            MemorySegment.copy(segment, position, dst, dstOffset, length);
        }
        else
        {
            MemorySegment.copy(array, arrayIndex + (int) (position / elementBytes), dst, layout, dstOffset,
                (int) (length / elementBytes));
        }
    }

    /** A view of this operation's buffer as a segment (allocates for arrays; used off the fast path only). */
    MemorySegment view()
    {
        if (array == null)
        {
            return segment;
        }
        final MemorySegment whole = switch (array)
        {
            case byte[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalStateException("not a supported array: " + array.getClass());
        };
        return whole.asSlice((long) arrayIndex * elementBytes, bytes);
    }

    boolean finished()
    {
        return state >= DONE;
    }

    void fillStatus(final Status into)
    {
        final int source = statusSource < 0 || worldToLocal == null ? statusSource : worldToLocal[statusSource];
        into.set(source, statusTag, statusBytes, state == CANCELLED);
    }

    @Override
    public boolean test()
    {
        if (!finished())
        {
            engine.progress();
            if (!finished())
            {
                engine.checkPeersWhilePolling(this);
            }
        }
        if (state == FAILED)
        {
            throw error;
        }
        return finished();
    }

    @Override
    public Status await()
    {
        engine.await(this);
        if (state == FAILED)
        {
            throw error;
        }
        if (status == null)
        {
            status = new Status();
        }
        fillStatus(status);
        return status;
    }

    @Override
    public boolean cancel()
    {
        return engine.cancel(this);
    }

    @Override
    public boolean isDone()
    {
        return finished();
    }

    /**
     * Waits until any one request completes, making progress and checking on peers while idle (MPI_Waitany).
     *
     * @param requests requests from Cohort's communicators; null entries are skipped
     * @return the index of a completed request, or -1 if every entry is null
     */
    public static int awaitAny(final Request[] requests)
    {
        ProgressEngine engine = null;
        for (final Request request : requests)
        {
            if (request instanceof Operation op)
            {
                engine = op.engine;
                break;
            }
        }
        if (engine == null)
        {
            return -1;
        }
        return engine.awaitAny(requests);
    }

    @Override
    public String toString()
    {
        return (kind == SEND ? "send to " : "receive from ") + (peer < 0 ? "any rank" : "rank " + peer)
            + " tag " + tag + ", " + bytes + " bytes";
    }
}

package io.cohort.mpi.engine;

import java.lang.foreign.MemorySegment;

/**
 * A message that arrived before a receive was posted for it (an "unexpected" message): an eager message with its
 * payload copied aside, or the announcement (RTS) of a large one whose data stays with the sender. Pooled: the
 * payload array is kept and reused, so steady traffic allocates nothing.
 */
final class Envelope
{
    static final int EAGER = 1;
    static final int RENDEZVOUS = 2;

    int kind;
    int source;
    int tag;
    int context;
    long length;
    boolean sync;
    long sendId;
    int regionId;
    long regionOffset;
    Operation selfSender;
    private byte[] payload = new byte[0];
    MemorySegment data = MemorySegment.ofArray(payload);

    Envelope next;
    Envelope prev;

    void ensureCapacity(final long bytes)
    {
        if (payload.length < bytes)
        {
            payload = new byte[(int) Math.max(bytes, Math.min(2L * payload.length, Integer.MAX_VALUE - 8))];
            data = MemorySegment.ofArray(payload);
        }
    }

    void clear()
    {
        selfSender = null;
        next = null;
        prev = null;
        if (payload.length > 1 << 20)
        {
            payload = new byte[0];
            data = MemorySegment.ofArray(payload);
        }
    }
}

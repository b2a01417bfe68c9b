package io.cohort.mpi;

/**
 * What a completed receive (or a probe) found: the source rank, the tag, and the message's size. Mutable so that
 * a loop can pass one {@code Status} to every receive and allocate nothing:
 * <pre>{@code
 * Status status = new Status();
 * for (int i = 0; i < n; i++) {
 *     world.recv(buffer, Cohort.ANY_SOURCE, Cohort.ANY_TAG, status);
 *     handle(status.source(), status.tag(), status.count(Double.BYTES));
 * }
 * }</pre>
 */
public final class Status
{
    private int source = -1;
    private int tag = -1;
    private long byteCount;
    private boolean cancelled;

    /**
     * The rank that sent the message, in the communicator of the receive.
     *
     * @return the source rank
     */
    public int source()
    {
        return source;
    }

    /**
     * The message's tag.
     *
     * @return the tag
     */
    public int tag()
    {
        return tag;
    }

    /**
     * The message's size in bytes.
     *
     * @return bytes received
     */
    public long byteCount()
    {
        return byteCount;
    }

    /**
     * The message's size in elements of a given size (MPI_Get_count).
     *
     * @param elementBytes the element size, e.g. {@code Double.BYTES}
     * @return the number of whole elements
     */
    public long count(final int elementBytes)
    {
        return byteCount / elementBytes;
    }

    /**
     * Whether the operation was cancelled rather than completed.
     *
     * @return true if cancelled
     */
    public boolean isCancelled()
    {
        return cancelled;
    }

    /**
     * Fills this status; used by the runtime.
     *
     * @param source    the source rank
     * @param tag       the tag
     * @param byteCount the size in bytes
     * @param cancelled whether the operation was cancelled
     * @return this status
     */
    public Status set(final int source, final int tag, final long byteCount, final boolean cancelled)
    {
        this.source = source;
        this.tag = tag;
        this.byteCount = byteCount;
        this.cancelled = cancelled;
        return this;
    }

    @Override
    public String toString()
    {
        return "Status{source=" + source + ", tag=" + tag + ", bytes=" + byteCount
            + (cancelled ? ", cancelled" : "") + "}";
    }
}

package io.cohort.mpi.collective;

import io.cohort.mpi.Request;

/**
 * The point-to-point calls that collective algorithms are built from, on a communicator's private collective
 * channel (its own context, so collective traffic never matches an application's receive). Buffers are primitive
 * arrays (offset and count in elements) or a {@code MemorySegment} (offset and count in bytes).
 */
public interface CollectiveChannel
{
    /**
     * This rank in the communicator.
     *
     * @return the rank
     */
    int rank();

    /**
     * The communicator's size.
     *
     * @return the number of ranks
     */
    int size();

    /**
     * A blocking send.
     *
     * @param buffer an array or a segment
     * @param offset the first element (byte for a segment)
     * @param count  elements (bytes for a segment)
     * @param dest   the destination rank
     * @param tag    the tag
     */
    void send(Object buffer, int offset, int count, int dest, int tag);

    /**
     * A blocking receive of exactly {@code count} elements.
     *
     * @param buffer an array or a segment
     * @param offset the first element (byte for a segment)
     * @param count  elements (bytes for a segment)
     * @param source the source rank
     * @param tag    the tag
     */
    void recv(Object buffer, int offset, int count, int source, int tag);

    /**
     * A nonblocking send.
     *
     * @param buffer an array or a segment
     * @param offset the first element (byte for a segment)
     * @param count  elements (bytes for a segment)
     * @param dest   the destination rank
     * @param tag    the tag
     * @return the request
     */
    Request isend(Object buffer, int offset, int count, int dest, int tag);

    /**
     * A nonblocking receive.
     *
     * @param buffer an array or a segment
     * @param offset the first element (byte for a segment)
     * @param count  elements (bytes for a segment)
     * @param source the source rank
     * @param tag    the tag
     * @return the request
     */
    Request irecv(Object buffer, int offset, int count, int source, int tag);

    /**
     * Hands a started nonblocking collective to the progress engine, which advances it on every progress.
     *
     * @param schedule the collective's schedule
     */
    void track(Schedule schedule);

    /** Makes progress once (delivers frames, advances tracked schedules). */
    void progress();

    /**
     * A blocking exchange: posts the receive, sends, then waits for both (MPI_Sendrecv); the blocking
     * collectives' fast path, allocation-free.
     *
     * @param sendBuffer  an array or a segment
     * @param sendOffset  its first element (byte for a segment)
     * @param sendCount   elements (bytes for a segment)
     * @param dest        the destination rank
     * @param recvBuffer  an array or a segment
     * @param recvOffset  its first element (byte for a segment)
     * @param recvCount   elements (bytes for a segment)
     * @param source      the source rank
     * @param tag         the tag of both
     */
    void sendrecv(Object sendBuffer, int sendOffset, int sendCount, int dest, Object recvBuffer, int recvOffset,
        int recvCount, int source, int tag);

    /**
     * Scratch space for a collective: a channel used by one blocking call at a time may hand out the same
     * buffer again; the default makes a new one.
     *
     * @param like  the collective's buffer (its element type)
     * @param count elements (bytes for a segment)
     * @return an array of the same element type (a byte array for a segment) of at least {@code count} elements
     */
    default Object scratch(final Object like, final int count)
    {
        return Blocks.scratch(like, count);
    }
}

package io.cohort.mpi;

/**
 * A nonblocking operation in flight, returned by {@code isend}, {@code irecv} and friends. Complete it with
 * {@link #await()} or poll it with {@link #test()}; the buffer must not be touched until it is complete.
 * <pre>{@code
 * Request recv = world.irecv(halo, 0, n, left, TAG_HALO);
 * Request send = world.isend(edge, 0, n, right, TAG_HALO);
 * computeInterior();
 * Request.waitAll(recv, send);
 * }</pre>
 *
 * <p>Not thread-safe: complete a request on the thread that drives its communicator.
 */
public interface Request
{
    /**
     * Makes progress and tells whether the operation is complete (MPI_Test).
     *
     * @return true once complete (or cancelled)
     * @throws CohortException if the operation failed, e.g. a truncated receive or a dead peer
     */
    boolean test();

    /**
     * Waits until the operation completes (MPI_Wait).
     *
     * @return the status: for a receive, the source, tag and size of the message
     * @throws CohortException if the operation failed, e.g. a truncated receive or a dead peer
     */
    Status await();

    /**
     * Cancels a receive that has not matched a message yet (MPI_Cancel). A send, or a receive already matched,
     * cannot be cancelled.
     *
     * @return true if the receive was cancelled; {@link #await()} then returns a cancelled status
     */
    boolean cancel();

    /**
     * Whether the operation is complete, without making progress.
     *
     * @return true once complete, failed or cancelled
     */
    boolean isDone();

    /**
     * Waits for every request (MPI_Waitall).
     *
     * @param requests the requests; null entries are skipped
     * @throws CohortException the first failure, after waiting for the others
     */
    static void waitAll(final Request... requests)
    {
        CohortException first = null;
        for (final Request request : requests)
        {
            if (request != null)
            {
                try
                {
                    request.await();
                }
                catch (final CohortException ex)
                {
                    if (first == null)
                    {
                        first = ex;
                    }
                }
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    /**
     * Waits until any one request completes (MPI_Waitany).
     *
     * @param requests the requests; null entries are skipped, and the entry returned is set to null (as MPI sets
     *                 it to MPI_REQUEST_NULL), so calling again with the same array returns the next one
     * @return the index of a completed request, or -1 if every entry is null
     * @throws CohortException if a request fails while waiting, e.g. because its peer died
     */
    static int waitAny(final Request... requests)
    {
        return io.cohort.mpi.engine.Operation.awaitAny(requests);
    }

    /**
     * Tells whether every request is complete, making progress once (MPI_Testall).
     *
     * @param requests the requests; null entries count as complete
     * @return true if all are complete
     */
    static boolean testAll(final Request... requests)
    {
        boolean all = true;
        for (final Request request : requests)
        {
            if (request != null && !request.test())
            {
                all = false;
            }
        }
        return all;
    }
}

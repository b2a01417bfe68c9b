package io.cohort.mpi;

/** A message arrived that is larger than the receive buffer posted for it (MPI_ERR_TRUNCATE). */
public final class TruncationException extends CohortException
{
    private static final long serialVersionUID = 1L;

    /**
     * An error naming the sizes.
     *
     * @param message the message's size, the buffer's capacity, the source and tag
     */
    public TruncationException(final String message)
    {
        super(message);
    }
}

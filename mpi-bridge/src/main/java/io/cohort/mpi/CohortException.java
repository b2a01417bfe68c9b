package io.cohort.mpi;

/**
 * Something a Cohort call could not do. The message names the values involved (ranks, tags, sizes) and, where
 * there is one, the fix.
 */
public class CohortException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An error with its message.
     *
     * @param message what went wrong, naming the values
     */
    public CohortException(final String message)
    {
        super(message);
    }

    /**
     * An error caused by another.
     *
     * @param message what went wrong, naming the values
     * @param cause   the underlying error
     */
    public CohortException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

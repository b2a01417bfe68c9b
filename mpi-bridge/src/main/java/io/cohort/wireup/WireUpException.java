package io.cohort.wireup;

/** The job's wire-up failed: the exchange was unreachable, refused this rank, or another rank died first. */
public class WireUpException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An error naming what failed.
     *
     * @param message what failed, with the values involved
     */
    public WireUpException(final String message)
    {
        super(message);
    }

    /**
     * An error caused by another.
     *
     * @param message what failed, with the values involved
     * @param cause   the underlying error
     */
    public WireUpException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

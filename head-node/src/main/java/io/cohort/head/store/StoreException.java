package io.cohort.head.store;

/** The store could not read or write (disk full, database damaged, I/O error): nothing was acknowledged. */
public final class StoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A failed store operation.
     *
     * @param message what was being done
     * @param cause   the underlying error
     */
    public StoreException(final String message, final Throwable cause)
    {
        super(message + ": " + cause.getMessage(), cause);
    }
}

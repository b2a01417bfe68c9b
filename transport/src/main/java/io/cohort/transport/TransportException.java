package io.cohort.transport;

/** A transport could not be set up or used: a file, a mapping or a peer was not what it had to be. */
public class TransportException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An error with a message that names the values involved.
     *
     * @param message what went wrong, with the offending values
     */
    public TransportException(final String message)
    {
        super(message);
    }

    /**
     * An error caused by another.
     *
     * @param message what went wrong, with the offending values
     * @param cause   the underlying error
     */
    public TransportException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

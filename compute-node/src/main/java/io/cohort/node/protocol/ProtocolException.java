package io.cohort.node.protocol;

/** The agent link failed or the other side broke the protocol; the message says which and where. */
public final class ProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A failure with a cause.
     *
     * @param message what failed, naming the peer
     * @param cause   the underlying error
     */
    public ProtocolException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /**
     * A failure.
     *
     * @param message what failed, naming the peer
     */
    public ProtocolException(final String message)
    {
        super(message);
    }
}

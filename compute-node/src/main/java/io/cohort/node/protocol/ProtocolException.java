package io.cohort.node.protocol;

/** The agent link failed or the other side broke the protocol; the message says which and where. */
public final class ProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int peerProtocol;

    /**
     * A failure with a cause.
     *
     * @param message what failed, naming the peer
     * @param cause   the underlying error
     */
    public ProtocolException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.peerProtocol = -1;
    }

    /**
     * A message that could not be read because the peer speaks another version of the protocol.
     *
     * @param message      what failed, naming the peer
     * @param peerProtocol the version the message declares
     * @param cause        the underlying error
     */
    public ProtocolException(final String message, final int peerProtocol, final Throwable cause)
    {
        super(message, cause);
        this.peerProtocol = peerProtocol;
    }

    /**
     * A failure.
     *
     * @param message what failed, naming the peer
     */
    public ProtocolException(final String message)
    {
        super(message);
        this.peerProtocol = -1;
    }

    /**
     * The protocol version the peer's unreadable message declared, when it is not this side's.
     *
     * @return the version, or -1 if the failure is not a version mismatch
     */
    public int peerProtocol()
    {
        return peerProtocol;
    }
}

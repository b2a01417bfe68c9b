package io.cohort.node.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One end of an agent link: messages as length-prefixed JSON over a TCP socket. Reading blocks, and fails when
 * the other side stays silent longer than the silence limit (it pings every second, so silence means it is gone
 * or the link is cut).
 *
 * <p>Thread-safe for one reader and any number of writers.
 */
public final class MessageChannel implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final Socket socket;
    private final String peer;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Duration silenceLimit;

    /**
     * Wraps a connected socket.
     *
     * @param socket       the connection
     * @param peer         how to name the other side in errors, e.g. "agent n1 at 10.77.0.1:7470"
     * @param silenceLimit how long the other side may stay silent
     * @throws ProtocolException if the socket cannot be used
     */
    public MessageChannel(final Socket socket, final String peer, final Duration silenceLimit)
    {
        this.socket = socket;
        this.peer = peer;
        this.silenceLimit = silenceLimit;
        try
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) silenceLimit.toMillis());
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        }
        catch (final IOException ex)
        {
            throw new ProtocolException("cannot use the connection to " + peer + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The other side, as named in errors.
     *
     * @return the peer's description
     */
    public String peer()
    {
        return peer;
    }

    /**
     * The socket, for its addresses.
     *
     * @return the connection
     */
    public Socket socket()
    {
        return socket;
    }

    /**
     * Sends one message.
     *
     * @param message the message
     * @throws ProtocolException if the connection is broken
     */
    public void send(final AgentMessage message)
    {
        final byte[] bytes;
        try
        {
            bytes = JSON.writerFor(AgentMessage.class).writeValueAsBytes(message);
        }
        catch (final IOException ex)
        {
            throw new ProtocolException("cannot encode " + message.getClass().getSimpleName() + ": "
                + ex.getMessage(), ex);
        }
        synchronized (out)
        {
            try
            {
                out.writeInt(bytes.length);
                out.write(bytes);
                out.flush();
            }
            catch (final IOException ex)
            {
                throw new ProtocolException("lost the connection to " + peer + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Waits for the next message.
     *
     * @return the message
     * @throws ProtocolException if the connection breaks, closes, stays silent too long, or carries garbage
     */
    public AgentMessage receive()
    {
        return receive(AgentProtocol.MAX_MESSAGE_BYTES);
    }

    /**
     * Waits for the next message, refusing one larger than a limit.
     *
     * @param limit the most bytes the message may have
     * @return the message
     * @throws ProtocolException if the connection breaks, closes, stays silent too long, or carries garbage; if the
     *                           message declares another protocol version, {@link ProtocolException#peerProtocol}
     *                           says which
     */
    public AgentMessage receive(final int limit)
    {
        final int length;
        final byte[] bytes;
        try
        {
            length = in.readInt();
            if (length <= 0 || length > limit)
            {
                throw new ProtocolException(peer + " sent a message of " + length + " bytes (the limit here is "
                    + limit + "): it does not speak Cohort's agent protocol");
            }
            bytes = in.readNBytes(length);
            if (bytes.length != length)
            {
                throw new EOFException("connection closed mid-message");
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new ProtocolException(peer + " has been silent for " + silenceLimit.toSeconds()
                + " s (killed, hung, or the network link is cut)", ex);
        }
        catch (final EOFException ex)
        {
            throw new ProtocolException(peer + " closed the connection", ex);
        }
        catch (final IOException ex)
        {
            throw new ProtocolException("lost the connection to " + peer + ": " + ex.getMessage(), ex);
        }
        try
        {
            return JSON.readValue(bytes, AgentMessage.class);
        }
        catch (final IOException ex)
        {
            final int declared = declaredProtocol(bytes);
            if (declared >= 0 && declared != AgentProtocol.VERSION)
            {
                // Another version may add fields this one does not know: name the versions, not the field.
                throw new ProtocolException(peer + " speaks agent protocol " + declared + " and this side "
                    + AgentProtocol.VERSION + ": run the same Cohort version on every host", declared, ex);
            }
            throw new ProtocolException(peer + " sent a message that is not valid: " + ex.getMessage(), ex);
        }
    }

    /** The "protocol" number a message that did not parse declares, or -1. */
    private static int declaredProtocol(final byte[] bytes)
    {
        try
        {
            final JsonNode protocol = JSON.readTree(bytes).path("protocol");
            return protocol.isInt() ? protocol.intValue() : -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /** Closes the connection; a reader blocked in {@link #receive} fails at once. Idempotent. */
    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // Closing a socket that is already broken: nothing left to release.
        }
    }
}

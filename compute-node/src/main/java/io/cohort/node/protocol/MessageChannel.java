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
import java.security.MessageDigest;
import java.time.Duration;
import javax.crypto.Mac;

/**
 * One end of an agent link: messages as length-prefixed JSON over a TCP socket. Reading blocks, and fails when
 * the other side stays silent longer than the silence limit (it pings every second, so silence means it is gone
 * or the link is cut).
 *
 * <p>After the handshake ({@link #authenticate}) every message carries an HMAC-SHA256 tag under the link's own key
 * over its direction, its sequence number and its bytes: a message altered, injected, replayed, reordered or
 * reflected back by someone on the path is refused and the link is closed, so holding the cluster secret is needed
 * for every order, not only for opening the connection.
 *
 * <p>Thread-safe for one reader and any number of writers.
 */
public final class MessageChannel implements AutoCloseable
{
    private static final int TAG_BYTES = 32;
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final Socket socket;
    private final String peer;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Duration silenceLimit;
    /** Signs what this side sends, once the link is authenticated; guarded by {@code out}. */
    private Mac sendMac;
    private byte sendDirection;
    private long sendSequence;
    /** Checks what this side receives, once the link is authenticated; used by the one reader. */
    private volatile Mac receiveMac;
    private byte receiveDirection;
    private long receiveSequence;

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
     * Signs every later message in both directions with a key only the two ends of this link know. Each side calls
     * this once, right after the handshake proved both hold the secret, at the same point of the stream: the
     * acceptor after sending its welcome, the dialer after reading it.
     *
     * @param linkKey  the link's key ({@link ClusterSecret#linkKey})
     * @param acceptor true on the side that accepted the connection
     */
    public void authenticate(final byte[] linkKey, final boolean acceptor)
    {
        final byte mine = acceptor ? (byte) 'A' : (byte) 'D';
        final byte theirs = acceptor ? (byte) 'D' : (byte) 'A';
        synchronized (out)
        {
            sendMac = ClusterSecret.hmac(linkKey);
            sendDirection = mine;
            sendSequence = 0;
        }
        receiveDirection = theirs;
        receiveSequence = 0;
        receiveMac = ClusterSecret.hmac(linkKey);
    }

    /** The tag of one message: direction and sequence first, so no message can stand in for another. */
    private static byte[] tag(final Mac mac, final byte direction, final long sequence, final byte[] bytes)
    {
        mac.update(direction);
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            mac.update((byte) (sequence >>> shift));
        }
        return mac.doFinal(bytes);
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
                if (sendMac != null)
                {
                    out.write(tag(sendMac, sendDirection, sendSequence++, bytes));
                }
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
            final Mac mac = receiveMac;
            if (mac != null)
            {
                final byte[] tag = in.readNBytes(TAG_BYTES);
                if (tag.length != TAG_BYTES)
                {
                    throw new EOFException("connection closed mid-message");
                }
                if (!MessageDigest.isEqual(tag, tag(mac, receiveDirection, receiveSequence++, bytes)))
                {
                    close();
                    throw new ProtocolException("a message from " + peer + " failed its authentication check (it "
                        + "was altered, injected or replayed on the way, or comes from someone without the cluster "
                        + "secret); the link is closed");
                }
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

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
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One end of an agent link: messages as length-prefixed JSON over a TCP socket. Reading blocks, and fails when
 * the other side stays silent longer than the silence limit (it pings every second, so silence means it is gone
 * or the link is cut).
 *
 * <p>After the handshake ({@link #authenticate}) every message is sealed with AES-256-GCM under the link's own key,
 * with a nonce made of its direction and sequence number: no one on the path can read it (launch orders carry
 * programs, arguments and environments), and a message altered, injected, replayed, reordered or reflected back is
 * refused and the link is closed, so holding the cluster secret is needed for every order, not only for opening the
 * connection. The key is derived from the secret and both sides' fresh nonces, so every link has its own.
 *
 * <p>Thread-safe for one reader and any number of writers.
 */
public final class MessageChannel implements AutoCloseable
{
    /** GCM's authentication tag, appended to every sealed message. */
    private static final int TAG_BYTES = 16;
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final Socket socket;
    private final String peer;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Duration silenceLimit;
    /** Seals what this side sends, once the link is authenticated; guarded by {@code out}. */
    private Cipher sendCipher;
    private SecretKey sendKey;
    private byte sendDirection;
    private long sendSequence;
    /** Opens what this side receives, once the link is authenticated; used by the one reader. */
    private volatile Cipher receiveCipher;
    private SecretKey receiveKey;
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
     * Seals every later message in both directions with a key only the two ends of this link know. Each side calls
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
        // A key of its own for the cipher, not the link key itself, which the handshake's MACs are keyed with.
        final SecretKey key = new SecretKeySpec(ClusterSecret.hmac(linkKey)
            .doFinal("cohort link cipher".getBytes(StandardCharsets.US_ASCII)), "AES");
        synchronized (out)
        {
            sendCipher = cipher();
            sendKey = key;
            sendDirection = mine;
            sendSequence = 0;
        }
        receiveKey = key;
        receiveDirection = theirs;
        receiveSequence = 0;
        receiveCipher = cipher();
    }

    private static Cipher cipher()
    {
        try
        {
            return Cipher.getInstance(CIPHER);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(CIPHER + " is missing from this JDK", ex);
        }
    }

    /**
     * The nonce of one message: its direction and its sequence number, never used twice under one key (each
     * direction counts its own messages), and what makes a message replayed, reordered or reflected fail to open.
     */
    private static GCMParameterSpec nonce(final byte direction, final long sequence)
    {
        final byte[] nonce = new byte[12];
        nonce[0] = direction;
        for (int i = 0; i < 8; i++)
        {
            nonce[4 + i] = (byte) (sequence >>> (56 - 8 * i));
        }
        return new GCMParameterSpec(TAG_BYTES * 8, nonce);
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
                final byte[] frame = sendCipher == null ? bytes : seal(bytes);
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
            }
            catch (final IOException ex)
            {
                throw new ProtocolException("lost the connection to " + peer + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** Encrypts and tags one message; called under {@code out}'s lock. */
    private byte[] seal(final byte[] bytes)
    {
        try
        {
            sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, nonce(sendDirection, sendSequence++));
            return sendCipher.doFinal(bytes);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot seal a message with " + CIPHER + ": " + ex.getMessage(), ex);
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
        byte[] bytes;
        try
        {
            length = in.readInt();
            final Cipher cipher = receiveCipher;
            if (length <= 0 || length > limit + (cipher == null ? 0 : TAG_BYTES))
            {
                throw new ProtocolException(peer + " sent a message of " + length + " bytes (the limit here is "
                    + limit + "): it does not speak Cohort's agent protocol");
            }
            bytes = in.readNBytes(length);
            if (bytes.length != length)
            {
                throw new EOFException("connection closed mid-message");
            }
            if (cipher != null)
            {
                bytes = open(cipher, bytes);
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

    /** Checks and decrypts one message; closes the link if it fails its check. */
    private byte[] open(final Cipher cipher, final byte[] sealed)
    {
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, receiveKey, nonce(receiveDirection, receiveSequence++));
            return cipher.doFinal(sealed);
        }
        catch (final AEADBadTagException | IllegalBlockSizeException ex)
        {
            close();
            throw new ProtocolException("a message from " + peer + " failed its authentication check (it was "
                + "altered, injected or replayed on the way, or comes from someone without the cluster secret); the "
                + "link is closed", ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot open a message with " + CIPHER + ": " + ex.getMessage(), ex);
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

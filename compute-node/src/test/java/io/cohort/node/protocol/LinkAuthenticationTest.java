package io.cohort.node.protocol;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every message after the handshake is sealed (AES-GCM) for its link, direction and place in the stream: someone on
 * the path who does not hold the secret can neither read, forge, alter nor replay one. The dialer talks to the
 * acceptor through a relay that plays that someone.
 */
class LinkAuthenticationTest
{
    private static final Duration SILENCE = Duration.ofSeconds(10);
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final ClusterSecret secret = ClusterSecret.of(KEY, Path.of("test"));
    private ServerSocket listener;
    private Relay relay;
    private MessageChannel acceptor;
    private MessageChannel dialer;

    /** Forwards bytes both ways; records what the dialer sends and can add bytes of its own to it. */
    private static final class Relay implements AutoCloseable
    {
        private final ServerSocket front;
        private final ByteArrayOutputStream fromDialer = new ByteArrayOutputStream();
        /** The offset in the dialer's stream of a byte to change on the way, or -1. */
        private long flipAt = -1;
        private Socket dialerSide;
        private Socket acceptorSide;

        Relay(final int acceptorPort) throws IOException
        {
            front = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() ->
            {
                try
                {
                    dialerSide = front.accept();
                    acceptorSide = new Socket(InetAddress.getLoopbackAddress(), acceptorPort);
                    final InputStream back = acceptorSide.getInputStream();
                    final OutputStream toDialer = dialerSide.getOutputStream();
                    Thread.ofVirtual().start(() -> pump(back, toDialer, null));
                    pump(dialerSide.getInputStream(), acceptorSide.getOutputStream(), fromDialer);
                }
                catch (final IOException ex)
                {
                    // The test closed the relay.
                }
            });
        }

        private void pump(final InputStream in, final OutputStream out, final ByteArrayOutputStream record)
        {
            final byte[] buffer = new byte[8192];
            try
            {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
                {
                    synchronized (this)
                    {
                        if (record != null)
                        {
                            final long at = flipAt - record.size();
                            if (at >= 0 && at < n)
                            {
                                buffer[(int) at] ^= 1;
                                flipAt = -1;
                            }
                            record.write(buffer, 0, n);
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
            catch (final IOException ex)
            {
                // A side closed.
            }
        }

        int port()
        {
            return front.getLocalPort();
        }

        synchronized byte[] sentByDialer()
        {
            return fromDialer.toByteArray();
        }

        synchronized void flip(final long offset)
        {
            flipAt = offset;
        }

        synchronized void inject(final byte[] bytes) throws IOException
        {
            acceptorSide.getOutputStream().write(bytes);
        }

        @Override
        public void close() throws IOException
        {
            front.close();
            if (dialerSide != null)
            {
                dialerSide.close();
            }
            if (acceptorSide != null)
            {
                acceptorSide.close();
            }
        }
    }

    @BeforeEach
    void connect() throws Exception
    {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        relay = new Relay(listener.getLocalPort());
        final CompletableFuture<MessageChannel> accepted = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                final MessageChannel channel = new MessageChannel(listener.accept(), "dialer", SILENCE);
                Handshake.accept(channel, secret, "agent", 1, 1, new PlainRefusals());
                return channel;
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        dialer = new MessageChannel(new Socket(InetAddress.getLoopbackAddress(), relay.port()), "acceptor", SILENCE);
        Handshake.dial(dialer, secret);
        acceptor = accepted.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception
    {
        dialer.close();
        acceptor.close();
        relay.close();
        listener.close();
    }

    /** The frames the dialer has sent so far, split by their layout: the handshake's Auth in the clear, then sealed. */
    private byte[] lastSealedFrameOfTheDialer()
    {
        final ByteBuffer stream = ByteBuffer.wrap(relay.sentByDialer());
        stream.position(4 + stream.getInt(0));
        int start = stream.position();
        while (stream.hasRemaining())
        {
            start = stream.position();
            stream.position(start + 4 + stream.getInt(start));
        }
        return Arrays.copyOfRange(stream.array(), start, stream.limit());
    }

    private static byte[] plainFrame(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length + 32).putInt(bytes.length).put(bytes).array();
    }

    @Test
    void sealedMessagesFlowBothWaysAfterTheHandshake()
    {
        dialer.send(new AgentMessage.Ping());
        assertInstanceOf(AgentMessage.Ping.class, acceptor.receive());
        acceptor.send(new AgentMessage.Refused("just a message"));
        assertEquals(new AgentMessage.Refused("just a message"), dialer.receive());
        dialer.send(new AgentMessage.Ping());
        assertInstanceOf(AgentMessage.Ping.class, acceptor.receive());
    }

    @Test
    void whatCrossesTheWireAfterTheHandshakeCannotBeRead()
    {
        final AgentMessage.Refused message = new AgentMessage.Refused("COHORT_TOKEN=s3cr3t-value");
        dialer.send(message);
        assertEquals(message, acceptor.receive());
        final String wire = new String(relay.sentByDialer(), StandardCharsets.ISO_8859_1);
        assertTrue(wire.contains("nonce"), "the relay saw the handshake, which is in the clear: " + wire);
        assertFalse(wire.contains("s3cr3t"), "the message's text crossed the wire readable");
        assertFalse(wire.contains("refused"), "the message's type crossed the wire readable");
    }

    @Test
    void aMessageInjectedWithoutTheSecretIsRefusedAndClosesTheLink() throws Exception
    {
        relay.inject(plainFrame("{\"type\":\"ping\"}"));
        final ProtocolException refused = assertThrows(ProtocolException.class, acceptor::receive);
        assertTrue(refused.getMessage().contains("failed its authentication check"), refused.getMessage());
        assertThrows(ProtocolException.class, acceptor::receive, "the link is closed");
    }

    @Test
    void aReplayedMessageIsRefused() throws Exception
    {
        dialer.send(new AgentMessage.Ping());
        assertInstanceOf(AgentMessage.Ping.class, acceptor.receive());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        byte[] frame = lastSealedFrameOfTheDialer();
        while (frame.length == 0 && System.nanoTime() < deadline)
        {
            frame = lastSealedFrameOfTheDialer();
        }
        relay.inject(frame);
        final ProtocolException refused = assertThrows(ProtocolException.class, acceptor::receive);
        assertTrue(refused.getMessage().contains("failed its authentication check"), refused.getMessage());
    }

    @Test
    void aMessageAlteredOnTheWayIsRefused() throws Exception
    {
        final AgentMessage.Refused message = new AgentMessage.Refused("rm -rf /tmp/job-1");
        dialer.send(message);
        assertEquals(message, acceptor.receive());
        // The same message again, with one bit of its sealed text changed on the way (past the 4-byte length).
        relay.flip(relay.sentByDialer().length + 4 + 10);
        dialer.send(message);
        final ProtocolException refused = assertThrows(ProtocolException.class, acceptor::receive);
        assertTrue(refused.getMessage().contains("failed its authentication check"), refused.getMessage());
    }
}

package io.cohort.transport.tcp;

import io.cohort.transport.FrameHandler;
import io.cohort.transport.InMemoryExchange;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the TCP provider does beyond the transport contract: refusals, peer states, back-pressure, settings. */
class TcpTransportTest
{
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final FrameHandler IGNORE = (peer, type, buf, off, len) -> { };

    private final List<Transport> open = new ArrayList<>();

    @AfterEach
    void closeAll()
    {
        open.forEach(Transport::close);
    }

    private TcpTransport rank(final TcpConfig config, final String job, final int rank, final int size)
    {
        final TcpTransport t = new TcpTransport(config, job, rank, size);
        open.add(t);
        return t;
    }

    private TcpTransport[] job(final TcpConfig config, final String job, final int size)
    {
        final InMemoryExchange exchange = new InMemoryExchange(1);
        final TcpTransport[] t = new TcpTransport[size];
        for (int r = 0; r < size; r++)
        {
            t[r] = rank(config, job, r, size);
            t[r].publish(exchange);
        }
        for (int r = 0; r < size; r++)
        {
            for (int p = 0; p < size; p++)
            {
                if (p != r)
                {
                    assertTrue(t[r].connect(p, exchange));
                }
            }
        }
        return t;
    }

    private static void until(final BooleanSupplier done, final Transport... polled)
    {
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("condition not reached within 20 s");
            }
            for (final Transport t : polled)
            {
                t.poll(IGNORE, 100);
            }
        }
    }

    private static boolean send(final Transport from, final int to, final long value, final int length)
    {
        final int at = from.tryClaim(to, 1, length);
        if (at == Transport.BACK_PRESSURED)
        {
            return false;
        }
        final MemorySegment out = from.frameBuffer(to);
        out.set(ValueLayout.JAVA_LONG, at, value);
        out.set(ValueLayout.JAVA_LONG, at + length - 8, ~value);
        from.commit(to, at);
        return true;
    }

    @Test
    void connectionFromAnotherJobIsRefusedAndDeliversNothing()
    {
        final InMemoryExchange exchange = new InMemoryExchange(1);
        final TcpTransport ours = rank(TcpConfig.loopback(), "job-a", 0, 2);
        final TcpTransport stranger = rank(TcpConfig.loopback(), "job-b", 1, 2);
        ours.publish(exchange);
        assertTrue(stranger.connect(0, exchange));
        assertTrue(send(stranger, 0, 7, 16));
        final int[] frames = {0};
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (stranger.peerState(0) == Transport.PEER_ALIVE && System.nanoTime() - deadline < 0)
        {
            frames[0] += ours.poll((peer, type, buf, off, len) -> frames[0]++, 100);
            stranger.poll(IGNORE, 100);
        }
        assertEquals(Transport.PEER_FAILED, stranger.peerState(0), "the refused side sees its connection end");
        assertEquals(0, frames[0]);
        assertTrue(ours.lastRefusal().contains("job-b"), ours.lastRefusal());
        assertEquals(Transport.PEER_ALIVE, ours.peerState(1), "a refused stranger says nothing about rank 1");
    }

    @Test
    void peerThatClosesReadsFinishedAlsoWhenOnlyThisRankSentToIt()
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "finish", 2);
        final int[] frames = {0};
        assertTrue(send(t[0], 1, 1, 8));
        until(() -> frames[0] == 1 || t[1].poll((p, type, b, o, l) -> frames[0]++, 10) < 0, t[0]);
        t[1].close();
        until(() -> t[0].peerState(1) != Transport.PEER_ALIVE, t[0]);
        assertEquals(Transport.PEER_FINISHED, t[0].peerState(1));
    }

    @Test
    void peerThatAbortsReadsFailedWithTheReason()
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "abort", 2);
        assertTrue(send(t[1], 0, 1, 8));
        final int[] frames = {0};
        until(() -> frames[0] == 1 || t[0].poll((p, type, b, o, l) -> frames[0]++, 10) < 0, t[1]);
        t[1].abort();
        until(() -> t[0].peerState(1) != Transport.PEER_ALIVE, t[0]);
        assertEquals(Transport.PEER_FAILED, t[0].peerState(1));
        assertTrue(t[0].failureOf(1).contains("rank 1"), t[0].failureOf(1));
    }

    @Test
    void neverConnectedPeerIsAlive()
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "idle", 2);
        t[0].poll(IGNORE, 10);
        assertEquals(Transport.PEER_ALIVE, t[0].peerState(1));
    }

    @Test
    void slowReceiverBackPressuresTheSenderWhichRecoversWithNothingLost()
    {
        final TcpTransport[] t = job(TcpConfig.loopback().withSendBuffer(TcpConfig.MIN_SEND_BUFFER), "slow", 2);
        final int length = 16 * 1024;
        long sent = 0;
        while (send(t[0], 1, sent, length))
        {
            sent++;
            assertTrue(sent < 1_000_000, "never back-pressured");
        }
        // The kernel's socket buffers filled, then the provider's own: bounded, not growing without limit.
        assertEquals(Transport.BACK_PRESSURED, t[0].tryClaim(1, 1, length));
        final long total = sent + 1000;
        final long[] received = {0};
        final FrameHandler check = (peer, type, buf, off, len) ->
        {
            assertEquals(received[0], buf.get(ValueLayout.JAVA_LONG, off));
            assertEquals(~received[0], buf.get(ValueLayout.JAVA_LONG, off + len - 8));
            received[0]++;
        };
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (received[0] < total && System.nanoTime() - deadline < 0)
        {
            t[1].poll(check, 4);
            t[0].poll(IGNORE, 100);
            if (sent < total && send(t[0], 1, sent, length))
            {
                sent++;
            }
        }
        assertEquals(total, received[0]);
    }

    @Test
    void bulkSlotsSurviveTheCreditCycleWithFarMoreFragmentsThanSlots()
    {
        final TcpTransport[] t = job(TcpConfig.loopback().withBulkSlots(2, 4096), "bulk", 2);
        final int fragments = 2000;
        final int slotLength = t[0].bulkSlotLength();
        final int[] checked = {0};
        final FrameHandler receive = (peer, type, buf, off, len) ->
        {
            final int slot = buf.get(ValueLayout.JAVA_INT, off);
            final int sequence = buf.get(ValueLayout.JAVA_INT, off + 4);
            final MemorySegment in = t[1].inboundBulk(0);
            for (int i = 0; i < slotLength; i += 4)
            {
                assertEquals(sequence * 31 + i, in.get(ValueLayout.JAVA_INT, slot + i), "fragment " + sequence);
            }
            assertEquals(checked[0], sequence);
            checked[0]++;
            t[1].releaseBulk(0);
        };
        int sent = 0;
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (checked[0] < fragments && System.nanoTime() - deadline < 0)
        {
            final int slot = sent < fragments ? t[0].tryClaimBulk(1) : Transport.BACK_PRESSURED;
            if (slot != Transport.BACK_PRESSURED)
            {
                final int at = t[0].tryClaim(1, 2, 8);
                assertNotEquals(Transport.BACK_PRESSURED, at);
                final MemorySegment slots = t[0].bulkBuffer(1);
                for (int i = 0; i < slotLength; i += 4)
                {
                    slots.set(ValueLayout.JAVA_INT, slot + i, sent * 31 + i);
                }
                t[0].commitBulk(1);
                t[0].frameBuffer(1).set(ValueLayout.JAVA_INT, at, slot);
                t[0].frameBuffer(1).set(ValueLayout.JAVA_INT, at + 4, sent);
                t[0].commit(1, at);
                sent++;
            }
            t[1].poll(receive, 16);
            t[0].poll(IGNORE, 16);
        }
        assertEquals(fragments, checked[0]);
    }

    @Test
    void partlyFilledBulkSlotsCarryTheirFilledBytesOfEveryLength()
    {
        final TcpTransport[] t = job(TcpConfig.loopback().withBulkSlots(2, 4096), "partial", 2);
        final int[] lengths = {0, 1, 7, 8, 9, 1000, 4095, 4096, 3};
        final int[] checked = {0};
        final FrameHandler receive = (peer, type, buf, off, len) ->
        {
            final int slot = buf.get(ValueLayout.JAVA_INT, off);
            final int length = buf.get(ValueLayout.JAVA_INT, off + 4);
            final MemorySegment in = t[1].inboundBulk(0);
            for (int i = 0; i < length; i++)
            {
                assertEquals((byte) (length + i), in.get(ValueLayout.JAVA_BYTE, slot + i), "byte " + i + " of "
                    + length);
            }
            checked[0]++;
            t[1].releaseBulk(0);
        };
        for (final int length : lengths)
        {
            int slot;
            final long deadline = System.nanoTime() + PATIENCE_NANOS;
            while ((slot = t[0].tryClaimBulk(1)) == Transport.BACK_PRESSURED && System.nanoTime() - deadline < 0)
            {
                t[1].poll(receive, 16);
                t[0].poll(IGNORE, 16);
            }
            assertNotEquals(Transport.BACK_PRESSURED, slot, "no slot came free");
            final MemorySegment slots = t[0].bulkBuffer(1);
            for (int i = 0; i < length; i++)
            {
                slots.set(ValueLayout.JAVA_BYTE, slot + i, (byte) (length + i));
            }
            final int at = t[0].tryClaim(1, 2, 8);
            t[0].commitBulk(1, length);
            t[0].frameBuffer(1).set(ValueLayout.JAVA_INT, at, slot);
            t[0].frameBuffer(1).set(ValueLayout.JAVA_INT, at + 4, length);
            t[0].commit(1, at);
        }
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (checked[0] < lengths.length && System.nanoTime() - deadline < 0)
        {
            t[1].poll(receive, 16);
            t[0].poll(IGNORE, 16);
        }
        assertEquals(lengths.length, checked[0]);
    }

    @Test
    void committingMoreBulkBytesThanASlotHoldsIsRefusedWithTheLimit()
    {
        final TcpTransport[] t = job(TcpConfig.loopback().withBulkSlots(2, 4096), "too-long", 2);
        assertNotEquals(Transport.BACK_PRESSURED, t[0].tryClaimBulk(1));
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> t[0].commitBulk(1, 4097));
        assertTrue(refused.getMessage().contains("4097") && refused.getMessage().contains("0 to 4096"),
            refused.getMessage());
    }

    @Test
    void directBytesLandInTheNamedMemoryAndArriveBeforeTheFramesCommittedAfterThem()
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "direct", 2);
        assertTrue(t[0].movesDirect(1));
        final int bytes = 3 * 1024 * 1024 + 5;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment source = arena.allocate(bytes);
            final MemorySegment destination = arena.allocate(bytes);
            for (int i = 0; i < bytes; i++)
            {
                source.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + (i >>> 10)));
            }
            t[1].expectDirect(0, 42L, destination);
            final boolean[] frame = {false};
            final FrameHandler check = (peer, type, buf, off, len) ->
            {
                // Every direct byte precedes the frame on the connection.
                assertEquals(-1L, source.mismatch(destination));
                frame[0] = true;
            };
            long written = 0;
            final long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (written < bytes && System.nanoTime() - deadline < 0)
            {
                written += t[0].writeDirect(1, 42L, source, written, bytes - written);
                t[1].poll(check, 16);
                t[0].poll(IGNORE, 16);
            }
            assertEquals(bytes, written);
            until(() -> send(t[0], 1, 0, 16), t[0], t[1]);
            while (!frame[0] && System.nanoTime() - deadline < 0)
            {
                t[1].poll(check, 16);
                t[0].poll(IGNORE, 16);
            }
            assertTrue(frame[0], "the frame after the direct bytes never came");
        }
    }

    @Test
    void directBytesOfATransferNotExpectedAreDroppedAndTheStreamGoesOn()
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "dropped", 2);
        final int bytes = 200_000;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment source = arena.allocate(bytes);
            source.fill((byte) 9);
            final MemorySegment named = arena.allocate(bytes);
            t[1].expectDirect(0, 7L, named);
            t[1].forgetDirect(0, 7L);
            long written = 0;
            final long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (written < bytes && System.nanoTime() - deadline < 0)
            {
                written += t[0].writeDirect(1, 7L, source, written, bytes - written);
                t[1].poll(IGNORE, 16);
                t[0].poll(IGNORE, 16);
            }
            assertEquals(bytes, written);
            until(() -> send(t[0], 1, 0, 16), t[0], t[1]);
            final long[] value = {-1};
            while (value[0] < 0 && System.nanoTime() - deadline < 0)
            {
                t[1].poll((peer, type, buf, off, len) -> value[0] = buf.get(ValueLayout.JAVA_LONG, off), 16);
                t[0].poll(IGNORE, 16);
            }
            assertEquals(0, value[0], "the frame after the dropped bytes");
            assertEquals(-1L, named.mismatch(arena.allocate(bytes)), "a forgotten transfer's memory was written");
            assertEquals(Transport.PEER_ALIVE, t[1].peerState(0));
        }
    }

    @Test
    void ranksThatFirstSendAtOnceEndUpOnTheLowerRanksConnectionWithEveryFrameInOrder()
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "race", 2);
        // Both send before either polls: each opens a connection of its own.
        assertTrue(send(t[0], 1, 0, 16));
        assertTrue(send(t[1], 0, 0, 16));
        final int total = 5_000;
        final long[] next = {0, 0};
        final FrameHandler[] inOrder = new FrameHandler[2];
        for (int r = 0; r < 2; r++)
        {
            final int rank = r;
            inOrder[r] = (peer, type, buf, off, len) ->
            {
                assertEquals(next[rank], buf.get(ValueLayout.JAVA_LONG, off), "frame at rank " + rank);
                next[rank]++;
            };
        }
        final long[] sent = {1, 1};
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while ((next[0] < total || next[1] < total) && System.nanoTime() - deadline < 0)
        {
            for (int r = 0; r < 2; r++)
            {
                if (sent[r] < total && send(t[r], 1 - r, sent[r], 16))
                {
                    sent[r]++;
                }
                t[r].poll(inOrder[r], 8);
            }
        }
        assertEquals(total, next[0]);
        assertEquals(total, next[1]);
        assertTrue(t[1].sendsOnPeersConnection(0), "the higher rank still sends on its own connection");
        assertTrue(!t[0].sendsOnPeersConnection(1), "the lower rank moved too");
        // The higher rank closes: its goodbye on the shared connection is its last word, after every frame.
        t[1].close();
        until(() -> t[0].peerState(1) == Transport.PEER_FINISHED, t[0]);
    }

    @Test
    void firstSendToAPeerThatDoesNotListenNamesThePeerAndItsAddress() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        final InMemoryExchange exchange = new InMemoryExchange(1);
        exchange.put(TcpTransport.KEY_PREFIX + 1, "127.0.0.1:" + port);
        final TcpTransport t = rank(TcpConfig.loopback(), "refused", 0, 2);
        assertTrue(t.connect(1, exchange));
        final TransportException ex = assertThrows(TransportException.class, () -> t.tryClaim(1, 1, 8));
        assertTrue(ex.getMessage().contains("rank 1 at 127.0.0.1:" + port), ex.getMessage());
        assertEquals(Transport.PEER_FAILED, t.peerState(1));
        assertEquals(Transport.BACK_PRESSURED, t.tryClaim(1, 1, 8), "later claims back-pressure; peerState says why");
    }

    @Test
    void socketLayerIsEpollWhenItLoadsAndNioWhenAskedForAndSaysSo()
    {
        final TcpTransport auto = TcpTransport.create(TcpConfig.loopback(), "io", 0, 1, null);
        open.add(auto);
        assertEquals(io.netty.channel.epoll.Epoll.isAvailable() ? "tcp" : "tcp (nio)", auto.describe());
        final TcpTransport nio = TcpTransport.create(TcpConfig.loopback(), "io", 0, 1, "nio");
        open.add(nio);
        assertEquals("tcp (nio)", nio.describe());
        assertEquals("tcp", nio.name());
    }

    @Test
    void socketLayerThatIsNotOneIsRefusedNamingTheVariableAndTheChoices()
    {
        final TransportException bad = assertThrows(TransportException.class,
            () -> TcpTransport.create(TcpConfig.loopback(), "io", 0, 1, "select"));
        assertTrue(bad.getMessage().contains("COHORT_TCP_IO=select") && bad.getMessage().contains("auto")
            && bad.getMessage().contains("epoll") && bad.getMessage().contains("nio"), bad.getMessage());
    }

    @Test
    void addressThatIsNotThisHostsIsRefusedAtPublishNamingTheVariable()
    {
        final TcpTransport t = rank(TcpConfig.fromEnvironment(Map.of("COHORT_TCP_ADDRESS", "203.0.113.7")), "addr",
            0, 1);
        final TransportException ex = assertThrows(TransportException.class,
            () -> t.publish(new InMemoryExchange(1)));
        assertTrue(ex.getMessage().contains("COHORT_TCP_ADDRESS=203.0.113.7"), ex.getMessage());
    }

    @Test
    void addressThatDoesNotResolveIsRefusedNamingTheVariable()
    {
        final TransportException ex = assertThrows(TransportException.class,
            () -> TcpConfig.fromEnvironment(Map.of("COHORT_TCP_ADDRESS", "no-such-host.invalid")));
        assertTrue(ex.getMessage().contains("COHORT_TCP_ADDRESS=no-such-host.invalid"), ex.getMessage());
    }

    @Test
    void sendBufferBelowTwoLargestFramesIsRefusedWithTheLimit()
    {
        final TransportException ex = assertThrows(TransportException.class,
            () -> TcpConfig.fromEnvironment(Map.of("COHORT_TCP_SEND_BUFFER", "1000")));
        assertTrue(ex.getMessage().contains("COHORT_TCP_SEND_BUFFER=1000"), ex.getMessage());
        assertTrue(ex.getMessage().contains(String.valueOf(TcpConfig.MIN_SEND_BUFFER)), ex.getMessage());
    }

    @Test
    void socketBufferBelowTheMinimumIsRefusedWithTheLimitAndZeroLeavesItToTheKernel()
    {
        final TransportException ex = assertThrows(TransportException.class,
            () -> TcpConfig.fromEnvironment(Map.of("COHORT_TCP_SOCKET_BUFFER", "4096")));
        assertTrue(ex.getMessage().contains("COHORT_TCP_SOCKET_BUFFER=4096"), ex.getMessage());
        assertTrue(ex.getMessage().contains(String.valueOf(TcpConfig.MIN_SOCKET_BUFFER)), ex.getMessage());
        assertEquals(0, TcpConfig.fromEnvironment(Map.of()).socketBuffer());
    }

    @Test
    void largeMessagesGetThroughSocketsWithAFixedBuffer()
    {
        final TcpTransport[] t = job(TcpConfig.fromEnvironment(Map.of("COHORT_TCP_ADDRESS", "127.0.0.1",
            "COHORT_TCP_SOCKET_BUFFER", "65536")), "sockbuf", 2);
        try (Arena arena = Arena.ofConfined())
        {
            final int bytes = 1 << 20;
            final MemorySegment source = arena.allocate(bytes);
            final MemorySegment destination = arena.allocate(bytes);
            source.fill((byte) 3);
            t[1].expectDirect(0, 1L, destination);
            long written = 0;
            final long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (written < bytes && System.nanoTime() - deadline < 0)
            {
                written += t[0].writeDirect(1, 1L, source, written, bytes - written);
                t[1].poll(IGNORE, 16);
                t[0].poll(IGNORE, 16);
            }
            until(() -> source.mismatch(destination) == -1, t[0], t[1]);
        }
    }

    @Test
    void portThatIsNotANumberIsRefusedNamingTheVariable()
    {
        final TransportException ex = assertThrows(TransportException.class,
            () -> TcpConfig.fromEnvironment(Map.of("COHORT_TCP_PORT", "http")));
        assertTrue(ex.getMessage().contains("COHORT_TCP_PORT=http"), ex.getMessage());
    }

    @Test
    void transportWiredUpOnOneThreadIsUsedOnAnotherAndThenBelongsToIt() throws Exception
    {
        final TcpTransport[] t = job(TcpConfig.loopback(), "handover", 2);
        final AtomicReference<Throwable> problem = new AtomicReference<>();
        final Thread user = Thread.ofPlatform().start(() ->
        {
            try
            {
                assertTrue(send(t[0], 1, 5, 8));
                t[0].poll(IGNORE, 10);
            }
            catch (final RuntimeException | AssertionError ex)
            {
                problem.set(ex);
            }
        });
        user.join();
        assertEquals(null, problem.get());
        final int[] frames = {0};
        until(() -> frames[0] == 1 || t[1].poll((p, type, b, o, l) -> frames[0]++, 10) < 0);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> t[0].poll(IGNORE, 10));
        assertTrue(ex.getMessage().contains(user.getName()), ex.getMessage());
    }
}

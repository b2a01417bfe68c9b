package io.cohort.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every transport provider must do (JCTools' contract-test style): one abstract test, one subclass per
 * provider. All ranks of a job live in this process and are driven by the test's thread.
 *
 * <p>Delivery is not assumed to be instantaneous: over a network a committed frame arrives a little later, and a
 * sender's transport may need to progress (poll) to move what the socket did not take yet, as the back-pressure
 * contract says ("progress and try again"). So tests wait for what must arrive by polling every rank, bounded.
 */
public abstract class TransportContractTest
{
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final FrameHandler NONE_EXPECTED = (peer, type, buf, off, len) ->
        fail("unexpected frame of type " + type + " from " + peer);

    private final List<Transport> open = new ArrayList<>();

    /**
     * Creates the unconnected transports of a job of {@code size} ranks, rank i at index i.
     *
     * @param size ranks
     * @return one transport per rank
     */
    protected abstract Transport[] create(int size);

    /**
     * Whether peers can read this provider's registered regions in place ({@link Transport#remoteRegion}); a
     * provider that answers false must say so with {@link Transport#regionOf} returning -1.
     *
     * @return true if registered memory is readable by peers in place
     */
    protected boolean mapsPeerMemory()
    {
        return true;
    }

    /**
     * Polls every rank until a condition holds: {@code receiver} with {@code handler}, the others with a handler
     * that expects nothing. Fails after a generous bound.
     */
    private static void progressUntil(final Transport[] job, final int receiver, final FrameHandler handler,
        final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("the expected frames did not arrive within " + TimeUnit.NANOSECONDS.toSeconds(PATIENCE_NANOS)
                    + " s");
            }
            for (int rank = 0; rank < job.length; rank++)
            {
                job[rank].poll(rank == receiver ? handler : NONE_EXPECTED, 100);
            }
        }
    }

    private static void awaitPeerState(final Transport observer, final int peer, final int state)
    {
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (observer.peerState(peer) != state)
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("rank " + peer + " is still in state " + observer.peerState(peer) + ", expected " + state);
            }
            observer.poll((p, type, buf, off, len) -> { }, 100);
        }
    }

    private Transport[] job(final int size)
    {
        final Transport[] transports = create(size);
        final AddressExchange exchange = new InMemoryExchange(1);
        for (final Transport t : transports)
        {
            t.publish(exchange);
            open.add(t);
        }
        for (int rank = 0; rank < size; rank++)
        {
            for (int peer = 0; peer < size; peer++)
            {
                if (peer != rank)
                {
                    assertTrue(transports[rank].connect(peer, exchange), rank + " cannot reach " + peer);
                }
            }
        }
        for (final Transport t : transports)
        {
            t.connected();
        }
        return transports;
    }

    @AfterEach
    void closeAll()
    {
        open.forEach(Transport::close);
    }

    private static boolean send(final Transport from, final int to, final int type, final long sequence,
        final int length)
    {
        final int at = from.tryClaim(to, type, length);
        if (at == Transport.BACK_PRESSURED)
        {
            return false;
        }
        final MemorySegment out = from.frameBuffer(to);
        for (int i = 0; i < length; i++)
        {
            out.set(ValueLayout.JAVA_BYTE, at + i, (byte) (sequence + i));
        }
        if (length >= 8)
        {
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, at, sequence);
        }
        from.commit(to, at);
        return true;
    }

    @Test
    void framesFromOnePeerArriveInTheOrderCommitted()
    {
        final Transport[] t = job(2);
        final List<Long> received = new ArrayList<>();
        final FrameHandler collect = (peer, type, buf, off, len) ->
            received.add(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off));
        long sent = 0;
        while (sent < 10_000)
        {
            if (send(t[0], 1, 1, sent, 16))
            {
                sent++;
            }
            else
            {
                t[1].poll(collect, 100);
                t[0].poll(NONE_EXPECTED, 100);
            }
        }
        progressUntil(t, 1, collect, () -> received.size() >= 10_000);
        assertEquals(10_000, received.size());
        for (int i = 0; i < received.size(); i++)
        {
            assertEquals(i, received.get(i));
        }
    }

    @Test
    void framesOfEveryLengthFromZeroToTheMaximumArriveIntact()
    {
        final Transport[] t = job(2);
        final int max = t[0].maxFrameLength();
        for (final int length : new int[] {0, 1, 7, 8, 9, 1000, 4096, max - 1, max})
        {
            assertTrue(send(t[0], 1, 3, length, length), "no room for " + length);
            final int[] seen = {-1};
            final int[] frames = {0};
            progressUntil(t, 1, (peer, type, buf, off, len) ->
            {
                assertEquals(0, peer);
                assertEquals(3, type);
                seen[0] = len;
                frames[0]++;
                for (int i = 8; i < len; i++)
                {
                    assertEquals((byte) (length + i), buf.get(ValueLayout.JAVA_BYTE, off + i), "byte " + i);
                }
            }, () -> frames[0] > 0);
            assertEquals(1, frames[0]);
            assertEquals(length, seen[0]);
        }
    }

    @Test
    void frameLongerThanTheMaximumIsRefused()
    {
        final Transport[] t = job(2);
        assertThrows(IllegalArgumentException.class, () -> t[0].tryClaim(1, 1, t[0].maxFrameLength() + 1));
    }

    @Test
    void fullBufferBackPressuresUntilTheReceiverPolls()
    {
        final Transport[] t = job(2);
        final int length = t[0].maxFrameLength() / 2;
        int frames = 0;
        while (send(t[0], 1, 1, frames, length))
        {
            frames++;
            assertTrue(frames < 1_000_000, "never back-pressured");
        }
        assertTrue(frames > 0);
        assertEquals(Transport.BACK_PRESSURED, t[0].tryClaim(1, 1, length));
        final int sent = frames;
        final int[] received = {0};
        progressUntil(t, 1, (peer, type, buf, off, len) -> received[0]++, () -> received[0] >= sent);
        assertEquals(frames, received[0]);
        assertTrue(send(t[0], 1, 1, frames, length), "room came back after the receiver polled");
    }

    @Test
    void manyPeersInterleaveWithoutMixingTheirFrames()
    {
        final int size = 8;
        final Transport[] t = job(size);
        final long[][] next = new long[size][size];
        final int perPeer = 200;
        for (int round = 0; round < perPeer; round++)
        {
            for (int from = 0; from < size; from++)
            {
                for (int to = 0; to < size; to++)
                {
                    if (from != to)
                    {
                        assertTrue(send(t[from], to, 2, round, 8 + round % 64));
                    }
                }
            }
            for (int rank = 0; rank < size; rank++)
            {
                final int me = rank;
                t[rank].poll((peer, type, buf, off, len) ->
                {
                    assertEquals(next[me][peer], buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off), "from " + peer);
                    next[me][peer]++;
                }, 1000);
            }
        }
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!allArrived(next, perPeer) && System.nanoTime() - deadline < 0)
        {
            for (int rank = 0; rank < size; rank++)
            {
                final int me = rank;
                t[rank].poll((peer, type, buf, off, len) ->
                {
                    assertEquals(next[me][peer], buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off), "from " + peer);
                    next[me][peer]++;
                }, 1000);
            }
        }
        for (int rank = 0; rank < size; rank++)
        {
            for (int peer = 0; peer < size; peer++)
            {
                assertEquals(rank == peer ? 0 : perPeer, next[rank][peer]);
            }
        }
    }

    private static boolean allArrived(final long[][] next, final int perPeer)
    {
        for (int rank = 0; rank < next.length; rank++)
        {
            for (int peer = 0; peer < next.length; peer++)
            {
                if (rank != peer && next[rank][peer] != perPeer)
                {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void registeredMemoryOfSixteenMebibytesIsReadableByPeersInPlace()
    {
        assumeTrue(mapsPeerMemory(), "this provider's peers cannot read its memory in place");
        final Transport[] t = job(2);
        final long bytes = 16L << 20;
        final MemorySegment region = t[0].allocateRegistered(bytes);
        for (long i = 0; i < bytes; i += 8)
        {
            region.set(ValueLayout.JAVA_LONG, i, i * 7);
        }
        final MemorySegment slice = region.asSlice(4096, 1 << 20);
        final int id = t[0].regionOf(slice);
        assertNotEquals(-1, id);
        assertEquals(4096, slice.address() - t[0].regionBase(id));
        assertEquals(-1, t[0].regionOf(MemorySegment.ofArray(new byte[16])));
        final MemorySegment remote = t[1].remoteRegion(0, id);
        assertEquals(bytes, remote.byteSize());
        for (long i = 0; i < bytes; i += 4096)
        {
            assertEquals(i * 7, remote.get(ValueLayout.JAVA_LONG, i));
        }
    }

    @Test
    void registeredMemoryThatPeersCannotMapIsStillUsableAndBelongsToNoRegion()
    {
        assumeFalse(mapsPeerMemory(), "this provider's peers read its memory in place");
        final Transport[] t = job(2);
        final MemorySegment region = t[0].allocateRegistered(1 << 20);
        region.set(ValueLayout.JAVA_LONG, (1 << 20) - 8, 42L);
        assertEquals(42L, region.get(ValueLayout.JAVA_LONG, (1 << 20) - 8));
        assertEquals(-1, t[0].regionOf(region));
        assertThrows(TransportException.class, () -> t[1].remoteRegion(0, 0));
    }

    @Test
    void bulkSlotsCarryDataInOrderAndBackPressureUntilReleased()
    {
        final Transport[] t = job(2);
        final int slot = t[0].bulkSlotLength();
        assertTrue(slot > 0 && slot % 8 == 0, "slot length " + slot);
        final List<Integer> offsets = new ArrayList<>();
        int filled = 0;
        int at;
        while ((at = t[0].tryClaimBulk(1)) != Transport.BACK_PRESSURED)
        {
            t[0].bulkBuffer(1).set(ValueLayout.JAVA_LONG, at, filled);
            t[0].bulkBuffer(1).set(ValueLayout.JAVA_LONG, at + slot - 8, filled);
            t[0].commitBulk(1);
            assertTrue(send(t[0], 1, 5, filled, 8), "no room to announce bulk slot " + filled);
            offsets.add(at);
            filled++;
            assertTrue(filled < 100_000, "bulk never back-pressured");
        }
        assertTrue(filled >= 2, "only " + filled + " bulk slots");
        final int announced = filled;
        final int[] announcements = {0};
        progressUntil(t, 1, (peer, type, buf, off, len) -> announcements[0]++, () -> announcements[0] >= announced);
        for (int i = 0; i < filled; i++)
        {
            assertEquals(i, t[1].inboundBulk(0).get(ValueLayout.JAVA_LONG, offsets.get(i)));
            assertEquals(i, t[1].inboundBulk(0).get(ValueLayout.JAVA_LONG, offsets.get(i) + slot - 8));
        }
        t[1].releaseBulk(0);
        final int[] next = {Transport.BACK_PRESSURED};
        progressUntil(t, 1, NONE_EXPECTED, () -> (next[0] = t[0].tryClaimBulk(1)) != Transport.BACK_PRESSURED);
        assertEquals(offsets.get(0), next[0], "the oldest slot comes back first");
    }

    @Test
    void processMemoryOfAPeerIsReadableWhereSupported()
    {
        final Transport[] t = job(2);
        if (!t[1].canReadProcessMemory(0))
        {
            return;
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined())
        {
            final MemorySegment source = arena.allocate(1 << 20);
            for (long i = 0; i < source.byteSize(); i += 8)
            {
                source.set(ValueLayout.JAVA_LONG, i, ~i);
            }
            final MemorySegment target = arena.allocate(1 << 20);
            t[1].readProcessMemory(0, source.address() + 8, target, source.byteSize() - 8);
            assertEquals(~8L, target.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(~(source.byteSize() - 8), target.get(ValueLayout.JAVA_LONG, source.byteSize() - 16));
        }
    }

    @Test
    void closedPeerIsReportedFinishedAndARunningOneAlive()
    {
        final Transport[] t = job(3);
        // Traffic both ways first, so a provider that connects on first use has connections to end.
        for (int peer = 1; peer < 3; peer++)
        {
            assertTrue(send(t[0], peer, 1, peer, 8));
            assertTrue(send(t[peer], 0, 1, peer, 8));
        }
        final int[] frames = {0};
        final FrameHandler count = (peer, type, buf, off, len) -> frames[0]++;
        final long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (frames[0] < 4 && System.nanoTime() - deadline < 0)
        {
            for (final Transport rank : t)
            {
                rank.poll(count, 10);
            }
        }
        assertEquals(4, frames[0]);
        assertEquals(Transport.PEER_ALIVE, t[0].peerState(1));
        t[1].close();
        awaitPeerState(t[0], 1, Transport.PEER_FINISHED);
        assertEquals(Transport.PEER_ALIVE, t[0].peerState(2));
        t[2].abort();
        awaitPeerState(t[0], 2, Transport.PEER_FAILED);
    }
}

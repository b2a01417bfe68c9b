package io.cohort.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every transport provider must do (JCTools' contract-test style): one abstract test, one subclass per
 * provider. All ranks of a job live in this process and are driven by the test's thread.
 */
public abstract class TransportContractTest
{
    private final List<Transport> open = new ArrayList<>();

    /**
     * Creates the unconnected transports of a job of {@code size} ranks, rank i at index i.
     *
     * @param size ranks
     * @return one transport per rank
     */
    protected abstract Transport[] create(int size);

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
        long sent = 0;
        while (sent < 10_000)
        {
            if (send(t[0], 1, 1, sent, 16))
            {
                sent++;
            }
            else
            {
                t[1].poll((peer, type, buf, off, len) -> received.add(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off)),
                    100);
            }
        }
        while (t[1].poll((peer, type, buf, off, len) -> received.add(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, off)),
            100) > 0)
        {
            Thread.onSpinWait();
        }
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
            assertEquals(1, t[1].poll((peer, type, buf, off, len) ->
            {
                assertEquals(0, peer);
                assertEquals(3, type);
                seen[0] = len;
                for (int i = 8; i < len; i++)
                {
                    assertEquals((byte) (length + i), buf.get(ValueLayout.JAVA_BYTE, off + i), "byte " + i);
                }
            }, 10));
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
        assertEquals(frames, t[1].poll((peer, type, buf, off, len) -> { }, Integer.MAX_VALUE));
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
        for (int rank = 0; rank < size; rank++)
        {
            for (int peer = 0; peer < size; peer++)
            {
                assertEquals(rank == peer ? 0 : perPeer, next[rank][peer]);
            }
        }
    }

    @Test
    void registeredMemoryOfSixteenMebibytesIsReadableByPeersInPlace()
    {
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
            offsets.add(at);
            filled++;
            assertTrue(filled < 100_000, "bulk never back-pressured");
        }
        assertTrue(filled >= 2, "only " + filled + " bulk slots");
        for (int i = 0; i < filled; i++)
        {
            assertEquals(i, t[1].inboundBulk(0).get(ValueLayout.JAVA_LONG, offsets.get(i)));
            assertEquals(i, t[1].inboundBulk(0).get(ValueLayout.JAVA_LONG, offsets.get(i) + slot - 8));
        }
        t[1].releaseBulk(0);
        assertEquals(offsets.get(0), t[0].tryClaimBulk(1), "the oldest slot comes back first");
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
        assertEquals(Transport.PEER_ALIVE, t[0].peerState(1));
        t[1].close();
        assertEquals(Transport.PEER_FINISHED, t[0].peerState(1));
        t[2].abort();
        assertEquals(Transport.PEER_FAILED, t[0].peerState(2));
    }
}

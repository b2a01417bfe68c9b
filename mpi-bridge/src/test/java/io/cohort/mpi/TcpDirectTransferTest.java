package io.cohort.mpi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Large messages over tcp between native buffers move directly (the sender's memory into the socket, the socket into
 * the receiver's memory); when either end's buffer is on the heap they go through the bulk slots instead. Either
 * way every byte arrives where it belongs. Ranks are threads of this JVM forced onto the tcp provider.
 */
class TcpDirectTransferTest
{
    private static final Map<String, String> TCP = Map.of("COHORT_TRANSPORT", "tcp");

    @Test
    void largeMessagesBetweenNativeBuffersArriveWholeAtEveryLength()
    {
        ThreadedJob.run(2, TCP, cohort ->
        {
            final Communicator world = cohort.world();
            try (Arena arena = Arena.ofConfined())
            {
                for (final int bytes : new int[] {16 * 1024 + 1, 65_536, 1_048_579, 8 * 1024 * 1024})
                {
                    final MemorySegment buffer = arena.allocate(bytes, 8);
                    if (world.rank() == 0)
                    {
                        fill(buffer, bytes);
                        world.send(buffer, 1, 5);
                    }
                    else
                    {
                        world.recv(buffer, 0, 5);
                        check(buffer, bytes, "message of " + bytes + " bytes");
                    }
                }
            }
        });
    }

    @Test
    void manyDirectTransfersToOnePeerAtOnceLandInTheirOwnBuffers()
    {
        ThreadedJob.run(2, TCP, cohort ->
        {
            final Communicator world = cohort.world();
            final int count = 12;
            final int bytes = 300_000;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment[] buffers = new MemorySegment[count];
                final Request[] requests = new Request[count];
                for (int i = 0; i < count; i++)
                {
                    buffers[i] = arena.allocate(bytes, 8);
                    if (world.rank() == 0)
                    {
                        fill(buffers[i], bytes + i);
                        requests[i] = world.isend(buffers[i], 1, i);
                    }
                }
                if (world.rank() == 1)
                {
                    // Posted in the opposite order of the sends: matching, not arrival order, decides the buffer.
                    for (int i = count - 1; i >= 0; i--)
                    {
                        requests[i] = world.irecv(buffers[i], 0, i);
                    }
                }
                Request.waitAll(requests);
                if (world.rank() == 1)
                {
                    for (int i = 0; i < count; i++)
                    {
                        check(buffers[i], bytes + i, "message with tag " + i);
                    }
                }
            }
        });
    }

    @Test
    void aHeapBufferAtEitherEndTakesTheBulkSlotsAndArrivesWhole()
    {
        ThreadedJob.run(2, TCP, cohort ->
        {
            final Communicator world = cohort.world();
            final int bytes = 1_048_576 + 8;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment nativeBuffer = arena.allocate(bytes, 8);
                final byte[] heap = new byte[bytes];
                if (world.rank() == 0)
                {
                    fill(nativeBuffer, bytes);
                    world.send(nativeBuffer, 1, 1);
                    fill(MemorySegment.ofArray(heap), bytes + 1);
                    world.send(heap, 0, bytes, 1, 2);
                }
                else
                {
                    world.recv(heap, 0, bytes, 0, 1);
                    check(MemorySegment.ofArray(heap), bytes, "native to heap");
                    world.recv(nativeBuffer, 0, 2);
                    check(nativeBuffer, bytes + 1, "heap to native");
                }
            }
        });
    }

    @Test
    void aRankThatEndsRightAfterLargeSendsStillHasThemDeliveredWhole()
    {
        // Rank 0 closes as soon as its sends complete, while rank 1 still takes in the last bulk slots and credits
        // them back: closing on those unread credits used to reset the connection and lose the end of the message.
        ThreadedJob.run(2, TCP, cohort ->
        {
            final Communicator world = cohort.world();
            final int bytes = 2_097_152 + 8;
            final byte[] heap = new byte[bytes];
            for (int round = 0; round < 8; round++)
            {
                if (world.rank() == 0)
                {
                    fill(MemorySegment.ofArray(heap), bytes + round);
                    world.send(heap, 0, bytes, 1, round);
                }
                else
                {
                    world.recv(heap, 0, bytes, 0, round);
                    check(MemorySegment.ofArray(heap), bytes + round, "heap to heap, round " + round);
                }
            }
        });
    }

    /** A pattern that differs per position and per seed, so a misplaced or stale byte is caught. */
    private static void fill(final MemorySegment buffer, final int seed)
    {
        for (long i = 0; i < buffer.byteSize(); i++)
        {
            buffer.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed + (i >>> 12)));
        }
    }

    private static void check(final MemorySegment buffer, final int seed, final String what)
    {
        for (long i = 0; i < buffer.byteSize(); i++)
        {
            final byte expected = (byte) (i * 31 + seed + (i >>> 12));
            if (buffer.get(ValueLayout.JAVA_BYTE, i) != expected)
            {
                assertEquals(expected, buffer.get(ValueLayout.JAVA_BYTE, i), what + ": byte " + i);
            }
        }
    }
}

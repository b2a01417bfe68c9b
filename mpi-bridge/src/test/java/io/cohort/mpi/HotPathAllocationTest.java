package io.cohort.mpi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking point-to-point calls allocate nothing per message once warmed up: operations are pooled and the
 * caller passes its {@link Status}. Measured with the JVM's per-thread allocation counter (not a timing).
 */
class HotPathAllocationTest
{
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 10_000;

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
            .getCurrentThreadAllocatedBytes();
    }

    @Test
    void blockingSendAndReceiveAllocateNothingPerMessage()
    {
        final long[] allocated = new long[2];
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int peer = 1 - rank;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment small = arena.allocate(8);
                final MemorySegment large = cohort.allocate(256 * 1024);
                final double[] array = new double[1024];
                final Status status = new Status();
                long before = 0;
                for (int i = 0; i < WARM_UP + MEASURED; i++)
                {
                    if (i == WARM_UP)
                    {
                        before = allocatedBytes();
                    }
                    if (rank == 0)
                    {
                        world.send(small, peer, 1);
                        world.recv(small, peer, 1, status);
                        world.send(array, 0, array.length, peer, 2);
                        world.recv(array, 0, array.length, peer, 2, status);
                        if (i % 16 == 0)
                        {
                            world.send(large, peer, 3);
                            world.recv(large, peer, 3, status);
                        }
                    }
                    else
                    {
                        world.recv(small, peer, 1, status);
                        world.send(small, peer, 1);
                        world.recv(array, 0, array.length, peer, 2, status);
                        world.send(array, 0, array.length, peer, 2);
                        if (i % 16 == 0)
                        {
                            world.recv(large, peer, 3, status);
                            world.send(large, peer, 3);
                        }
                    }
                }
                allocated[rank] = allocatedBytes() - before;
            }
        });
        // Any allocation per message would be at least 16 bytes times tens of thousands of messages; pools that
        // grow once (a few hundred bytes, when more messages than ever are unexpected at once) are not per message.
        for (int rank = 0; rank < 2; rank++)
        {
            assertTrue(allocated[rank] < MEASURED, "rank " + rank + " allocated " + allocated[rank] + " bytes in "
                + MEASURED + " iterations of two or three round trips");
        }
    }
}

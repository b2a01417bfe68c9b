package io.cohort.mpi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Point-to-point semantics (MPI's rules), with ranks as threads over real shared memory. */
class PointToPointTest
{
    @Test
    void messagesFromOneSenderArriveInTheOrderSent()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            final int n = 5_000;
            if (world.rank() == 0)
            {
                final Request[] sends = new Request[n];
                for (int i = 0; i < n; i++)
                {
                    sends[i] = world.isend(new int[] {i}, 0, 1, 1, 9);
                }
                Request.waitAll(sends);
            }
            else
            {
                final int[] value = new int[1];
                for (int i = 0; i < n; i++)
                {
                    world.recv(value, 0, 1, 0, 9);
                    assertEquals(i, value[0], "message " + i + " overtaken");
                }
            }
        });
    }

    @Test
    void anySourceReceiveDoesNotLetALaterMessageOvertakeAnEarlierOneFromTheSameSender()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                world.send(new int[] {1}, 0, 1, 1, 5);
                world.send(new int[] {2}, 0, 1, 1, 6);
            }
            else
            {
                final int[] value = new int[1];
                Status status = world.recv(value, 0, 1, Cohort.ANY_SOURCE, Cohort.ANY_TAG);
                assertEquals(1, value[0]);
                assertEquals(5, status.tag());
                assertEquals(0, status.source());
                status = world.recv(value, 0, 1, Cohort.ANY_SOURCE, Cohort.ANY_TAG);
                assertEquals(2, value[0]);
                assertEquals(6, status.tag());
            }
        });
    }

    @Test
    void receiveSelectsByTagAmongUnexpectedMessages()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                world.send(new long[] {10}, 0, 1, 1, 1);
                world.send(new long[] {20}, 0, 1, 1, 2);
                world.barrier();
            }
            else
            {
                world.barrier();
                final long[] value = new long[1];
                world.recv(value, 0, 1, 0, 2);
                assertEquals(20, value[0]);
                world.recv(value, 0, 1, 0, 1);
                assertEquals(10, value[0]);
            }
        });
    }

    @Test
    void anySourceReceivesFromEveryRank()
    {
        ThreadedJob.run(4, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() != 0)
            {
                world.send(new int[] {world.rank()}, 0, 1, 0, world.rank());
                return;
            }
            int seen = 0;
            final int[] value = new int[1];
            for (int i = 1; i < 4; i++)
            {
                final Status status = world.recv(value, 0, 1, Cohort.ANY_SOURCE, Cohort.ANY_TAG);
                assertEquals(status.source(), value[0]);
                assertEquals(status.source(), status.tag());
                seen |= 1 << status.source();
            }
            assertEquals(0b1110, seen);
        });
    }

    @Test
    void everyMessageSizeArrivesIntactThroughEveryProtocol()
    {
        final long[] sizes = {0, 1, 7, 8, 4095, 16 * 1024, 16 * 1024 + 8, 65_536, 1 << 20, 16 << 20};
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            try (Arena arena = Arena.ofConfined())
            {
                for (final long size : sizes)
                {
                    for (int kind = 0; kind < 2; kind++)
                    {
                        final MemorySegment buffer = kind == 0 ? arena.allocate(Math.max(1, size))
                            : cohort.allocate(Math.max(1, size));
                        final MemorySegment message = buffer.asSlice(0, size);
                        if (world.rank() == 0)
                        {
                            fill(message, size);
                            world.send(message, 1, (int) (size % 1000));
                        }
                        else
                        {
                            final Status status = world.recv(message, 0, (int) (size % 1000));
                            assertEquals(size, status.byteCount());
                            assertEquals(-1, mismatch(message, size), "size " + size + " kind " + kind);
                        }
                    }
                }
            }
        });
    }

    @Test
    void crossMemoryAttachDeliversLargeMessagesIntoNativeAndHeapBuffers()
    {
        ThreadedJob.run(2, java.util.Map.of("COHORT_CMA_MIN", "65536"), cohort ->
        {
            final Communicator world = cohort.world();
            final int size = 1 << 20;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment buffer = arena.allocate(size);
                if (world.rank() == 0)
                {
                    fill(buffer, size);
                    world.send(buffer, 1, 1);
                    world.send(buffer, 1, 2);
                }
                else
                {
                    world.recv(buffer, 0, 1);
                    assertEquals(-1, mismatch(buffer, size), "into native memory");
                    final byte[] heap = new byte[size];
                    world.recv(heap, 0, size, 0, 2);
                    assertEquals(-1, mismatch(MemorySegment.ofArray(heap), size), "into a heap array");
                }
            }
        });
    }

    @Test
    void primitiveArraysAndByteBuffersCarryTheirElements()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            final int n = 100_000;
            if (world.rank() == 0)
            {
                final double[] doubles = new double[n + 2];
                final float[] floats = new float[n];
                final long[] longs = new long[n];
                final byte[] bytes = new byte[n];
                for (int i = 0; i < n; i++)
                {
                    doubles[i + 2] = i * 0.5;
                    floats[i] = i * 0.25f;
                    longs[i] = i * 3L;
                    bytes[i] = (byte) i;
                }
                world.send(doubles, 2, n, 1, 1);
                world.send(floats, 0, n, 1, 2);
                world.send(longs, 0, n, 1, 3);
                world.send(bytes, 0, n, 1, 4);
                final ByteBuffer direct = ByteBuffer.allocateDirect(64);
                direct.putLong(0, 42L);
                world.send(direct, 1, 5);
            }
            else
            {
                final double[] doubles = new double[n + 1];
                assertEquals(n, world.recv(doubles, 1, n, 0, 1).count(Double.BYTES));
                final float[] floats = new float[n];
                world.recv(floats, 0, n, 0, 2);
                final long[] longs = new long[n];
                world.recv(longs, 0, n, 0, 3);
                final byte[] bytes = new byte[n];
                world.recv(bytes, 0, n, 0, 4);
                for (int i = 0; i < n; i++)
                {
                    assertEquals(i * 0.5, doubles[i + 1]);
                    assertEquals(i * 0.25f, floats[i]);
                    assertEquals(i * 3L, longs[i]);
                    assertEquals((byte) i, bytes[i]);
                }
                final ByteBuffer direct = ByteBuffer.allocateDirect(64);
                world.recv(direct, 0, 5);
                assertEquals(42L, direct.getLong(0));
            }
        });
    }

    @Test
    void receiveIntoTooSmallBufferRaisesTruncationNamingBothSizes()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            for (final int size : new int[] {100, 1 << 20})
            {
                if (world.rank() == 0)
                {
                    world.send(new byte[size], 0, size, 1, 3);
                }
                else
                {
                    final TruncationException ex = assertThrows(TruncationException.class,
                        () -> world.recv(new byte[10], 0, 10, 0, 3));
                    assertTrue(ex.getMessage().contains(size + " bytes"), ex.getMessage());
                    assertTrue(ex.getMessage().contains("10 bytes"), ex.getMessage());
                }
            }
        });
    }

    @Test
    void messageThatIsNotAWholeNumberOfElementsIsRejected()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                world.send(new byte[6], 0, 6, 1, 0);
            }
            else
            {
                final CohortException ex = assertThrows(CohortException.class,
                    () -> world.recv(new int[4], 0, 4, 0, 0));
                assertTrue(ex.getMessage().contains("6 bytes"), ex.getMessage());
            }
        });
    }

    @Test
    void synchronousSendReturnsOnlyAfterTheReceiveMatched()
    {
        final AtomicInteger receivesPosted = new AtomicInteger();
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            final int[] sizes = {8, 1 << 20};
            for (int round = 1; round <= sizes.length; round++)
            {
                final int size = sizes[round - 1];
                world.barrier();
                if (world.rank() == 0)
                {
                    world.ssend(new byte[size], 0, size, 1, 1);
                    assertTrue(receivesPosted.get() >= round, "ssend of " + size + " bytes returned before the "
                        + "receive was posted");
                }
                else
                {
                    Thread.sleep(200);
                    receivesPosted.incrementAndGet();
                    world.recv(new byte[size], 0, size, 0, 1);
                }
            }
        });
    }

    @Test
    void waitAnyReturnsACompletedRequestAndWaitAllCompletesTheRest()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                world.send(new int[] {7}, 0, 1, 1, 2);
                world.barrier();
                world.send(new int[] {8}, 0, 1, 1, 1);
            }
            else
            {
                final int[] a = new int[1];
                final int[] b = new int[1];
                final Request first = world.irecv(a, 0, 1, 0, 1);
                final Request second = world.irecv(b, 0, 1, 0, 2);
                final Request[] both = {first, second};
                assertEquals(1, Request.waitAny(both));
                assertEquals(7, b[0]);
                assertNull(both[1], "the finished request is consumed, as MPI_Waitany sets MPI_REQUEST_NULL");
                assertFalse(first.isDone());
                world.barrier();
                assertEquals(0, Request.waitAny(both));
                assertEquals(8, a[0]);
                assertEquals(-1, Request.waitAny(both));
            }
        });
    }

    @Test
    void cancelledReceiveNeverMatchesAndReportsCancelled()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 1)
            {
                final int[] lost = new int[1];
                final Request pending = world.irecv(lost, 0, 1, 0, 4);
                assertTrue(pending.cancel());
                assertTrue(pending.await().isCancelled());
                world.barrier();
                final int[] value = new int[1];
                world.recv(value, 0, 1, 0, 4);
                assertEquals(99, value[0]);
                assertEquals(0, lost[0]);
            }
            else
            {
                world.barrier();
                world.send(new int[] {99}, 0, 1, 1, 4);
            }
        });
    }

    @Test
    void probeTellsSourceTagAndSizeBeforeTheReceive()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                world.barrier();
                world.send(new double[300], 0, 300, 1, 12);
            }
            else
            {
                assertNull(world.iprobe(0, 12));
                world.barrier();
                final Status status = world.probe(Cohort.ANY_SOURCE, Cohort.ANY_TAG);
                assertEquals(0, status.source());
                assertEquals(12, status.tag());
                assertEquals(300, status.count(Double.BYTES));
                assertNotNull(world.iprobe(0, 12));
                final Status polled = new Status();
                assertTrue(world.iprobe(Cohort.ANY_SOURCE, 12, polled));
                assertEquals(300 * Double.BYTES, polled.byteCount());
                final double[] data = new double[(int) status.count(Double.BYTES)];
                world.recv(data, 0, data.length, 0, 12);
            }
        });
    }

    @Test
    void duplicatedCommunicatorKeepsItsTrafficApartFromTheOriginal()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            final Communicator library = world.dup();
            if (world.rank() == 0)
            {
                library.send(new int[] {1}, 0, 1, 1, 0);
                world.send(new int[] {2}, 0, 1, 1, 0);
            }
            else
            {
                final int[] value = new int[1];
                world.recv(value, 0, 1, 0, 0);
                assertEquals(2, value[0]);
                library.recv(value, 0, 1, 0, 0);
                assertEquals(1, value[0]);
            }
        });
    }

    @Test
    void splitGroupsRanksByColorAndOrdersThemByKey()
    {
        ThreadedJob.run(4, cohort ->
        {
            final Communicator world = cohort.world();
            final int color = world.rank() % 2;
            final Communicator half = world.split(color, -world.rank());
            assertEquals(2, half.size());
            assertEquals(world.rank() < 2 ? 1 : 0, half.rank());
            final int[] value = {world.rank()};
            final int[] other = new int[1];
            half.sendrecv(value, 0, 1, 1 - half.rank(), 3, other, 0, 1, 1 - half.rank(), 3);
            assertEquals(world.rank() < 2 ? world.rank() + 2 : world.rank() - 2, other[0]);
            assertEquals(half.worldRank(1 - half.rank()), other[0]);
            final Communicator none = world.split(world.rank() == 0 ? Communicator.UNDEFINED : 0, 0);
            assertEquals(world.rank() == 0, none == null);
        });
    }

    @Test
    void barrierReleasesNoRankBeforeAllArrive()
    {
        final AtomicInteger arrived = new AtomicInteger();
        ThreadedJob.run(3, cohort ->
        {
            for (int round = 1; round <= 20; round++)
            {
                arrived.incrementAndGet();
                cohort.world().barrier();
                assertTrue(arrived.get() >= 3 * round, "released before every rank arrived");
                cohort.world().barrier();
            }
        });
    }

    @Test
    void sendToSelfIsReceived()
    {
        ThreadedJob.run(1, cohort ->
        {
            final Communicator world = cohort.world();
            for (final int size : new int[] {4, 1 << 20})
            {
                final byte[] out = new byte[size];
                out[size - 1] = 5;
                final Request send = world.isend(out, 0, size, 0, 1);
                final byte[] in = new byte[size];
                world.recv(in, 0, size, 0, 1);
                send.await();
                assertArrayEquals(out, in);
            }
        });
    }

    @Test
    void sendrecvExchangesLargeMessagesWithoutDeadlock()
    {
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            final int n = 1 << 18;
            final double[] out = new double[n];
            java.util.Arrays.fill(out, world.rank());
            final double[] in = new double[n];
            final int right = (world.rank() + 1) % 3;
            final int left = (world.rank() + 2) % 3;
            world.sendrecv(out, 0, n, right, 0, in, 0, n, left, 0);
            assertEquals(left, in[n - 1]);
        });
    }

    @Test
    void closingWaitsForAPeerThatIsSlowToTakeWhatIsQueuedForIt()
    {
        final int queued = 200;
        final int large = 1 << 20;
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                // Fill the ring to rank 1 (the rest waits in the pending queue), then take rank 1's large message:
                // its FIN has to queue behind, and rank 0 closes while rank 1 is still busy for several seconds.
                for (int i = 0; i < queued; i++)
                {
                    world.isend(new byte[4096], 0, 4096, 1, 1);
                }
                world.recv(new byte[large], 0, large, 1, 2);
                cohort.close();
            }
            else
            {
                final Request send = world.isend(cohort.allocate(large), 0, 2);
                Thread.sleep(6_000);
                for (int i = 0; i < queued; i++)
                {
                    world.recv(new byte[4096], 0, 4096, 0, 1);
                }
                send.await();
            }
        });
    }

    @Test
    void callsAfterCloseRaiseInsteadOfTouchingFreedMemory()
    {
        ThreadedJob.run(1, cohort ->
        {
            final Communicator world = cohort.world();
            cohort.close();
            final CohortException ex = assertThrows(CohortException.class, () -> world.send(new int[1], 0, 1, 0, 0));
            assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        });
    }

    @Test
    void receiveIntoReadOnlyMemoryIsRejectedBeforeAnythingIsPosted()
    {
        ThreadedJob.run(1, cohort ->
        {
            final CohortException ex = assertThrows(CohortException.class,
                () -> cohort.world().irecv(ByteBuffer.allocateDirect(8).asReadOnlyBuffer(), 0, 0));
            assertTrue(ex.getMessage().contains("read-only"), ex.getMessage());
        });
    }

    @Test
    void invalidRankTagAndCountAreRejectedWithTheirValues()
    {
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            final CohortException rank = assertThrows(CohortException.class,
                () -> world.send(new int[1], 0, 1, 5, 0));
            assertTrue(rank.getMessage().contains("rank 5") && rank.getMessage().contains("2 ranks"),
                rank.getMessage());
            final CohortException tag = assertThrows(CohortException.class,
                () -> world.send(new int[1], 0, 1, 1, -3));
            assertTrue(tag.getMessage().contains("tag -3"), tag.getMessage());
            final CohortException count = assertThrows(CohortException.class,
                () -> world.recv(new int[4], 2, 3, 1, 0));
            assertTrue(count.getMessage().contains("count 3 at offset 2") && count.getMessage().contains("4"),
                count.getMessage());
            assertThrows(CohortException.class, () -> world.recv(new int[1], 0, 1, -7, 0));
            assertThrows(CohortException.class, () -> cohort.allocate(0));
        });
    }

    private static void fill(final MemorySegment segment, final long size)
    {
        for (long i = 0; i < size; i++)
        {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + size));
        }
    }

    private static long mismatch(final MemorySegment segment, final long size)
    {
        for (long i = 0; i < size; i++)
        {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != (byte) (i * 31 + size))
            {
                return i;
            }
        }
        return -1;
    }
}

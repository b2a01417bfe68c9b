package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.data;
import static io.cohort.mpi.CollectiveReference.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The allreduce contract with every blocking call forced through shared memory (nonblocking ones use messages). */
class ShmAllreduceTest extends AllreduceAlgorithmContract
{
    @Override
    CollectiveTuning tuning()
    {
        return forcing(CollectiveAlgorithm.SHM);
    }

    /**
     * Small allreduces wait on a flag in each peer's small slot rather than on its step count; interleaved with
     * calls that wait on the count (bcasts, barriers, sliced allreduces) and with ranks out of step, every result
     * must still be right, over several turns of the small slots' ring.
     */
    @Test
    void smallAllreducesInterleavedWithOtherSharedMemoryCollectivesOverManyTurnsOfTheSlotRingStayExact()
    {
        final int[] counts = {1, 7, 8, 9, 512, 700};
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int rank = world.rank();
            final Random skew = new Random(rank);
            for (int call = 0; call < 400; call++)
            {
                final int count = counts[call % counts.length];
                final double[] send = new double[count];
                final double[] expected = new double[count];
                for (int i = 0; i < count; i++)
                {
                    send[i] = call * 1000.0 + rank * 10 + i;
                    expected[i] = 3 * (call * 1000.0 + i) + 10 * (0 + 1 + 2);
                }
                if (skew.nextInt(8) == 0)
                {
                    // One rank late now and then, so others wait on its flags (or run ahead where they may).
                    LockSupport.parkNanos(200_000);
                }
                final double[] recv = new double[count];
                final boolean inPlace = call % 3 == 0;
                world.allreduce(send, 0, inPlace ? send : recv, 0, count, ReduceOp.SUM);
                assertArrayEquals(expected, inPlace ? send : recv, "call " + call + " on rank " + rank);
                switch (call % 4)
                {
                    case 0 -> world.barrier();
                    case 1 ->
                    {
                        final long[] value = {rank == call % 3 ? call : -1};
                        world.bcast(value, 0, 1, call % 3);
                        assertEquals(call, value[0], "bcast after call " + call);
                    }
                    case 2 -> world.ibarrier().await();
                    default ->
                    {
                    }
                }
            }
        });
    }

    /** Above 4 KiB of ints and in several fold passes of doubles (70,001 elements, 560 KB). */
    private static final int[] SEGMENT_COUNTS = {1_500, 70_001};
    private static final ValueLayout[] LAYOUTS = {ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
        ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_DOUBLE};

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void segmentsFromCohortAllocateOfEveryTypeAreReducedExactlyAndMayBeReusedAtOnce(final int size)
    {
        // Every rank copies straight out of every other rank's segments: after its call returns a rank overwrites
        // its own at once, which a rank still copying would see in its result.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final MemorySegment sendSpace = cohort.allocate(70_001 * 8L + 64);
            final MemorySegment recvSpace = cohort.allocate(70_001 * 8L + 64);
            int salt = 0;
            for (final int count : SEGMENT_COUNTS)
            {
                for (final ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.PROD})
                {
                    for (final ValueLayout layout : LAYOUTS)
                    {
                        salt++;
                        final boolean inPlace = salt % 3 == 0;
                        final long bytes = count * layout.byteSize();
                        // At an offset into each region, so descriptors carry one.
                        final MemorySegment send = sendSpace.asSlice(8, bytes);
                        final MemorySegment recv = inPlace ? send : recvSpace.asSlice(16, bytes);
                        store(data(world.rank(), count, op, salt), send, layout);
                        if (world.rank() == salt % size)
                        {
                            LockSupport.parkNanos(300_000);
                        }
                        world.allreduce(send, recv, layout, op);
                        final long[] got = load(recv, layout, count);
                        recvSpace.fill((byte) 0x5A);
                        sendSpace.fill((byte) 0x5A);
                        final long[] expected = reference(size, count, op, salt);
                        assertArrayEquals(expected, got, op + " of " + count + " " + layout + (inPlace
                            ? " in place" : "") + " on " + size + " ranks, seed " + SEED);
                    }
                }
            }
        });
    }

    @Test
    void aNonCommutativeOperationOnValuesOfThreeElementsGivesSegmentsWhatItGivesArrays()
    {
        // Values of 3 doubles: the single-copy fold must pass whole values and keep rank order.
        final ReduceOperation op = ReduceOperation.onDoubleArrays((in, inOffset, inout, outOffset, count) ->
        {
            for (int v = 0; v < count; v += 3)
            {
                final double a0 = in[inOffset + v];
                inout[outOffset + v] = 2 * a0 + inout[outOffset + v];
                inout[outOffset + v + 1] = in[inOffset + v + 1] - inout[outOffset + v + 1] + a0;
                inout[outOffset + v + 2] = inout[outOffset + v + 2] + 3 * in[inOffset + v + 2] - a0;
            }
        }, 3, false);
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final int count = 3 * 7_001;
            final double[] mine = new double[count];
            for (int i = 0; i < count; i++)
            {
                mine[i] = (i * 7 + world.rank() * 13) % 101 - 50;
            }
            final double[] expected = new double[count];
            world.allreduce(mine, 0, expected, 0, count, op);
            final MemorySegment send = cohort.allocate(count * 8L);
            final MemorySegment recv = cohort.allocate(count * 8L);
            MemorySegment.copy(mine, 0, send, ValueLayout.JAVA_DOUBLE, 0, count);
            world.allreduce(send, recv, ValueLayout.JAVA_DOUBLE, op);
            assertArrayEquals(expected, recv.toArray(ValueLayout.JAVA_DOUBLE), "rank " + world.rank());
        });
    }

    @Test
    void oneRankWithSegmentsOutsideSharedMemorySendsEveryRankTheOtherWayAlike()
    {
        ThreadedJob.run(3, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            try (Arena arena = Arena.ofConfined())
            {
                final int count = 20_000;
                final long bytes = count * 8L;
                final boolean plain = world.rank() == 1;
                final MemorySegment send = plain ? arena.allocate(bytes, 8) : cohort.allocate(bytes);
                final MemorySegment recv = plain ? arena.allocate(bytes, 8) : cohort.allocate(bytes);
                for (int call = 0; call < 3; call++)
                {
                    store(data(world.rank(), count, ReduceOp.SUM, call), send, ValueLayout.JAVA_DOUBLE);
                    world.allreduce(send, recv, ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                    assertArrayEquals(reference(3, count, ReduceOp.SUM, call),
                        load(recv, ValueLayout.JAVA_DOUBLE, count), "call " + call + ", seed " + SEED);
                }
            }
        });
    }

    private static void store(final long[] values, final MemorySegment to, final ValueLayout layout)
    {
        for (int i = 0; i < values.length; i++)
        {
            switch (layout)
            {
                case ValueLayout.OfInt l -> to.setAtIndex(l, i, (int) values[i]);
                case ValueLayout.OfLong l -> to.setAtIndex(l, i, values[i]);
                case ValueLayout.OfFloat l -> to.setAtIndex(l, i, values[i]);
                case ValueLayout.OfDouble l -> to.setAtIndex(l, i, values[i]);
                default -> throw new IllegalArgumentException(layout.toString());
            }
        }
    }

    private static long[] load(final MemorySegment from, final ValueLayout layout, final int count)
    {
        final long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = switch (layout)
            {
                case ValueLayout.OfInt l -> from.getAtIndex(l, i);
                case ValueLayout.OfLong l -> from.getAtIndex(l, i);
                case ValueLayout.OfFloat l -> (long) from.getAtIndex(l, i);
                case ValueLayout.OfDouble l -> (long) from.getAtIndex(l, i);
                default -> throw new IllegalArgumentException(layout.toString());
            };
        }
        return values;
    }
}

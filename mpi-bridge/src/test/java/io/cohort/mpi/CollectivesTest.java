package io.cohort.mpi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every collective against a serial reference computed from the same random data (a fixed seed, printed in every
 * failure), for communicator sizes 1, 2, 3, 5 and 8 and for a split sub-communicator. The data are small integers
 * (also in float and double), so every order of combining gives exactly the same answer.
 */
class CollectivesTest
{
    private static final long SEED = 20261122L;
    private static final int[] COUNTS = {1, 7, 1000, 70_000};
    private static final ReduceOp[] ARITHMETIC = {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX};
    private static final ReduceOp[] BITWISE = {ReduceOp.LAND, ReduceOp.LOR, ReduceOp.LXOR, ReduceOp.BAND,
        ReduceOp.BOR, ReduceOp.BXOR};

    /** Concatenation of decimal digits: associative, and not commutative, so rank order shows in the result. */
    private static final ReduceOperation CONCATENATE = ReduceOperation.ofLongs(
        (left, right) -> left * (long) Math.pow(10, Long.toString(right).length()) + right, false);

    /** Rank r's data for one case: small integers, so products and sums stay exact in every type. */
    private static long[] data(final int rank, final int count, final ReduceOp op, final int salt)
    {
        final SplittableRandom random = new SplittableRandom(SEED * 31 + rank * 1_000_003L + salt);
        final long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = op == ReduceOp.PROD ? 1 + random.nextInt(3) : random.nextInt(-1000, 1001);
        }
        return values;
    }

    private static long[] reference(final int size, final int count, final ReduceOp op, final int salt)
    {
        final long[] result = data(0, count, op, salt);
        for (int rank = 1; rank < size; rank++)
        {
            op.apply(data(rank, count, op, salt), 0, result, 0, count);
        }
        return result;
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void allreduceAndReduceMatchTheSerialReferenceForEveryTypeAndOperation(final int size)
    {
        ThreadedJob.run(size, cohort -> checkReductions(cohort.world()));
    }

    @ParameterizedTest(name = "{0} ranks split in two")
    @ValueSource(ints = {5, 8})
    void collectivesOnASplitCommunicatorInvolveOnlyItsRanks(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator half = cohort.world().split(cohort.world().rank() % 2, cohort.world().rank());
            checkReductions(half);
            checkBroadcasts(half, cohort);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void broadcastDeliversTheRootsDataToEveryRank(final int size)
    {
        ThreadedJob.run(size, cohort -> checkBroadcasts(cohort.world(), cohort));
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void gatherScatterAllgatherAndAlltoallMoveEveryBlockToItsPlace(final int size)
    {
        ThreadedJob.run(size, cohort -> checkExchanges(cohort.world()));
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5, 8})
    void inPlaceReduceLeavesTheResultInTheRootsOwnBufferAndTheOthersUntouched(final int size)
    {
        // MPI_IN_PLACE at the root: its send array is its receive array; the other ranks pass no receive array.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            for (final int root : new int[] {0, size - 1})
            {
                for (final int count : new int[] {1, 5, 5000})
                {
                    final double[] values = new double[count];
                    final long[] longs = new long[count];
                    for (int i = 0; i < count; i++)
                    {
                        values[i] = rank * 10 + i;
                        longs[i] = rank + 1L;
                    }
                    final boolean atRoot = rank == root;
                    world.reduce(values, 0, atRoot ? values : null, 0, count, ReduceOp.SUM, root);
                    world.reduce(longs, 0, atRoot ? longs : null, 0, count, ReduceOp.PROD, root);
                    long factorial = 1;
                    for (int r = 1; r <= size; r++)
                    {
                        factorial *= r;
                    }
                    for (int i = 0; i < count; i++)
                    {
                        final String what = count + " from root " + root + " of " + size + " ranks at " + i;
                        assertEquals(atRoot ? 10.0 * size * (size - 1) / 2 + (double) size * i : rank * 10 + i,
                            values[i], "in-place SUM " + what);
                        assertEquals(atRoot ? factorial : rank + 1L, longs[i], "in-place PROD " + what);
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void inPlaceAlltoallvOfArraysAndSegmentsDeliversEveryBlock(final int size)
    {
        // Blocks of different sizes in one buffer used as send and receive (MPI_IN_PLACE): rank r sends r + 1
        // elements to every rank and so receives q + 1 from rank q; the buffer holds the larger layout.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int[] sendCounts = new int[size];
            final int[] recvCounts = new int[size];
            final int[] displs = new int[size];
            for (int q = 0; q < size; q++)
            {
                sendCounts[q] = rank + 1;
                recvCounts[q] = q + 1;
                displs[q] = q * size;
            }
            final int[] buffer = new int[size * size];
            final MemorySegment segment = MemorySegment.ofArray(new int[size * size]);
            final int[] byteCounts = new int[size];
            final int[] byteRecvCounts = new int[size];
            final int[] byteDispls = new int[size];
            for (int q = 0; q < size; q++)
            {
                java.util.Arrays.fill(buffer, displs[q], displs[q] + rank + 1, rank * 100 + q);
                for (int i = 0; i < rank + 1; i++)
                {
                    segment.setAtIndex(ValueLayout.JAVA_INT, displs[q] + i, rank * 100 + q);
                }
                byteCounts[q] = sendCounts[q] * Integer.BYTES;
                byteRecvCounts[q] = recvCounts[q] * Integer.BYTES;
                byteDispls[q] = displs[q] * Integer.BYTES;
            }
            world.alltoallv(buffer, sendCounts, displs, buffer, recvCounts, displs);
            world.ialltoallv(segment, byteCounts, byteDispls, segment, byteRecvCounts, byteDispls).await();
            for (int q = 0; q < size; q++)
            {
                for (int i = 0; i < q + 1; i++)
                {
                    assertEquals(q * 100 + rank, buffer[displs[q] + i], "in-place alltoallv block from rank " + q);
                    assertEquals(q * 100 + rank, segment.getAtIndex(ValueLayout.JAVA_INT, displs[q] + i),
                        "in-place segment ialltoallv block from rank " + q);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void scanExscanAndReduceScatterMatchTheSerialReference(final int size)
    {
        ThreadedJob.run(size, cohort -> checkPrefixes(cohort.world()));
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void logicalAndBitwiseOperationsMatchTheSerialReferenceOnIntegers(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            int salt = 500;
            for (final ReduceOp op : BITWISE)
            {
                salt++;
                final long[] mine = data(world.rank(), 300, ReduceOp.SUM, salt);
                final long[] expected = data(0, 300, ReduceOp.SUM, salt);
                for (int r = 1; r < size; r++)
                {
                    op.apply(data(r, 300, ReduceOp.SUM, salt), 0, expected, 0, 300);
                }
                final long[] result = new long[300];
                world.allreduce(mine, 0, result, 0, 300, op);
                assertArrayEquals(expected, result, op + " on " + size + " ranks, seed " + SEED);
                final int[] ints = new int[300];
                final int[] myInts = new int[300];
                for (int i = 0; i < 300; i++)
                {
                    myInts[i] = (int) mine[i];
                }
                world.allreduce(myInts, 0, ints, 0, 300, op);
                assertEquals((int) expected[299], ints[299], op + " on ints");
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void minlocAndMaxlocKeepTheExtremeValueAndItsLowestIndex(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            // Pair 0: every rank has the same value, so the lowest index wins; pair 1: rank size-1 has the extreme.
            final double[] pairs = {7.0, rank, rank == size - 1 ? -5.0 : rank, rank};
            final double[] min = new double[4];
            final double[] max = new double[4];
            world.allreduce(pairs, 0, min, 0, 4, ReduceOp.MINLOC);
            world.allreduce(new double[] {7.0, rank, rank == size - 1 ? 99.0 : rank, rank}, 0, max, 0, 4,
                ReduceOp.MAXLOC);
            assertArrayEquals(new double[] {7.0, 0, -5.0, size - 1}, min);
            assertArrayEquals(new double[] {7.0, 0, 99.0, size - 1}, max);
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void nonCommutativeUserOperationIsAppliedInRankOrder(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final long[] digit = {rank + 1, rank + 1};
            long all = 0;
            for (int r = 1; r <= size; r++)
            {
                all = all * 10 + r;
            }
            final long[] result = new long[2];
            world.allreduce(digit, 0, result, 0, 2, CONCATENATE);
            assertArrayEquals(new long[] {all, all}, result, "allreduce in rank order");
            final long[] atRoot = new long[2];
            final int root = size - 1;
            world.reduce(digit, 0, rank == root ? atRoot : null, 0, 2, CONCATENATE, root);
            if (rank == root)
            {
                assertArrayEquals(new long[] {all, all}, atRoot, "reduce to rank " + root + " in rank order");
            }
            long prefix = 0;
            for (int r = 1; r <= rank + 1; r++)
            {
                prefix = prefix * 10 + r;
            }
            final long[] scanned = new long[2];
            world.scan(digit, 0, scanned, 0, 2, CONCATENATE);
            assertEquals(prefix, scanned[0], "scan at rank " + rank);
            final long[] exclusive = new long[2];
            world.exscan(digit, 0, exclusive, 0, 2, CONCATENATE);
            if (rank > 0)
            {
                assertEquals(prefix / 10, exclusive[0], "exscan at rank " + rank);
            }
            final CohortException wrongType = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.allreduce(new double[1], 0, new double[1], 0, 1, CONCATENATE));
            org.junit.jupiter.api.Assertions.assertTrue(wrongType.getMessage().contains("double"));
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void checkingModeRejectsMismatchedCallsOnEveryRankAndPassesMatchingOnes(final int size)
    {
        ThreadedJob.run(size, java.util.Map.of("COHORT_CHECK", "1"), cohort ->
        {
            final Communicator world = cohort.world();
            checkReductions(world);
            final int count = world.rank() == size - 1 ? 2 : 1;
            final CohortException counts = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.allreduce(new double[2], 0, new double[2], 0, count, ReduceOp.SUM));
            org.junit.jupiter.api.Assertions.assertTrue(counts.getMessage().contains("different count"),
                counts.getMessage());
            final ReduceOp op = world.rank() == 0 ? ReduceOp.MAX : ReduceOp.SUM;
            final CohortException ops = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.reduce(new long[1], 0, new long[1], 0, 1, op, 0));
            org.junit.jupiter.api.Assertions.assertTrue(ops.getMessage().contains("different operation"),
                ops.getMessage());
            world.barrier();
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void checkingModeRejectsABlockingCollectiveMatchedWithItsNonblockingForm(final int size)
    {
        // MPI: a blocking collective and its nonblocking form do not match each other; here they may even take
        // different paths (shared memory against messages), so unchecked the job could hang.
        ThreadedJob.run(size, java.util.Map.of("COHORT_CHECK", "1"), cohort ->
        {
            final Communicator world = cohort.world();
            final boolean last = world.rank() == size - 1;
            final CohortException arrays = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class, () ->
            {
                final double[] values = {1.0};
                if (last)
                {
                    world.iallreduce(values, 0, values, 0, 1, ReduceOp.SUM).await();
                }
                else
                {
                    world.allreduce(values, 0, values, 0, 1, ReduceOp.SUM);
                }
            });
            org.junit.jupiter.api.Assertions.assertTrue(arrays.getMessage().contains("different collective"),
                arrays.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(arrays.getMessage().contains(last ? "called iallreduce"
                : "called allreduce"), arrays.getMessage());
            final CohortException segments = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class, () ->
            {
                final java.lang.foreign.MemorySegment data = java.lang.foreign.MemorySegment.ofArray(new long[4]);
                final int[] counts = new int[size];
                final int[] displs = new int[size];
                java.util.Arrays.fill(counts, 8);
                for (int r = 0; r < size; r++)
                {
                    displs[r] = 8 * r;
                }
                final java.lang.foreign.MemorySegment mine = data.asSlice(0, 8);
                if (last)
                {
                    world.igatherv(mine, data, counts, displs, 0).await();
                }
                else
                {
                    world.gatherv(mine, data, counts, displs, 0);
                }
            });
            org.junit.jupiter.api.Assertions.assertTrue(segments.getMessage().contains("different collective"),
                segments.getMessage());
            // Matching forms still pass.
            world.iallreduce(new int[1], 0, new int[1], 0, 1, ReduceOp.SUM).await();
            final java.lang.foreign.MemorySegment one = java.lang.foreign.MemorySegment.ofArray(new int[1]);
            world.scan(one, one, java.lang.foreign.ValueLayout.JAVA_INT, ReduceOp.SUM);
            world.barrier();
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void checkingModeRejectsCountsThatDisagreeBetweenRanksInGatherScatterAndTheVForms(final int size)
    {
        ThreadedJob.run(size, java.util.Map.of("COHORT_CHECK", "1"), cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int last = size - 1;
            final int[] uniform = new int[size];
            final int[] blocks = new int[size];
            for (int r = 0; r < size; r++)
            {
                uniform[r] = 1;
                blocks[r] = r;
            }
            // gather: the last rank sends 2 elements where the root expects 1 from everyone.
            final int mine = rank == last ? 2 : 1;
            final CohortException gather = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.gather(new int[2], 0, mine, new int[2 * size], 0, 0));
            org.junit.jupiter.api.Assertions.assertTrue(gather.getMessage().contains("gatherv: rank 0 has counts["
                + last + "] = 1 but rank " + last + " passes a count of 2"), gather.getMessage());
            // scatterv: the root's counts say 1 for the last rank, which expects 2.
            final CohortException scatter = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.scatterv(new int[size], uniform, blocks, new int[2], 0, mine, 0));
            org.junit.jupiter.api.Assertions.assertTrue(scatter.getMessage().contains("scatterv: rank 0 has counts["
                + last + "] = 1 but rank " + last + " passes a count of 2"), scatter.getMessage());
            // allgatherv: rank 0's counts say 2 for the last rank, which contributes 1 (as every other rank's say).
            final int[] counts = uniform.clone();
            final int[] displs = new int[size];
            for (int r = 0; r < size; r++)
            {
                displs[r] = 2 * r;
            }
            if (rank == 0)
            {
                counts[last] = 2;
            }
            final CohortException allgather = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.allgatherv(new int[1], 0, 1, new int[2 * size], counts, displs));
            org.junit.jupiter.api.Assertions.assertTrue(allgather.getMessage().contains("allgatherv: rank 0 has "
                + "counts[" + last + "] = 2 but rank " + last + " passes a count of 1"), allgather.getMessage());
            // alltoallv: rank 0 sends 2 to the last rank, which expects 1 from it.
            final int[] sendCounts = uniform.clone();
            if (rank == 0)
            {
                sendCounts[last] = 2;
            }
            final CohortException alltoall = org.junit.jupiter.api.Assertions.assertThrows(CohortException.class,
                () -> world.alltoallv(new int[2 * size], sendCounts, displs, new int[size], uniform, blocks));
            org.junit.jupiter.api.Assertions.assertTrue(alltoall.getMessage().contains("alltoallv: rank " + last
                + " has recvCounts[0] = 1 but rank 0 has sendCounts[" + last + "] = 2"), alltoall.getMessage());
            // Matching calls still pass.
            world.allgatherv(new int[1], 0, 1, new int[size], uniform, blocks);
            world.barrier();
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void nonblockingCollectivesCompleteWhileTheRankDoesOtherWork(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final long[] mine = data(rank, 5000, ReduceOp.SUM, 900);
            final long[] sum = new long[5000];
            final double[] broadcast = new double[3000];
            if (rank == size - 1)
            {
                java.util.Arrays.fill(broadcast, 2.5);
            }
            final Request allreduce = world.iallreduce(mine, 0, sum, 0, 5000, ReduceOp.SUM);
            final Request bcast = world.ibcast(broadcast, 0, 3000, size - 1);
            final long[] atRoot = new long[5000];
            final Request reduce = world.ireduce(mine, 0, rank == 0 ? atRoot : null, 0, 5000, ReduceOp.MAX, 0);
            // Point-to-point traffic in the middle: a ring exchange.
            final int[] token = {rank};
            final int[] got = new int[1];
            world.sendrecv(token, 0, 1, (rank + 1) % size, 77, got, 0, 1, (rank - 1 + size) % size, 77);
            assertEquals((rank - 1 + size) % size, got[0]);
            Request.waitAll(allreduce, bcast, reduce);
            assertArrayEquals(reference(size, 5000, ReduceOp.SUM, 900), sum);
            assertEquals(2.5, broadcast[2999]);
            if (rank == 0)
            {
                assertArrayEquals(reference(size, 5000, ReduceOp.MAX, 900), atRoot);
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5, 8})
    void manyNonblockingCollectivesInFlightAtOnceNeverTakeEachOthersMessages(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int rounds = 6;
            final long[][] sums = new long[rounds][64];
            final long[][] all = new long[rounds][size * 3];
            final long[][] exchanged = new long[rounds][size * 2];
            final long[][] prefixes = new long[rounds][5];
            final Request[] requests = new Request[rounds * 4];
            for (int k = 0; k < rounds; k++)
            {
                final long[] mine = data(rank, 64, ReduceOp.SUM, 1000 + k);
                requests[4 * k] = world.iallreduce(mine, 0, sums[k], 0, 64, ReduceOp.SUM);
                requests[4 * k + 1] = world.iallgather(new long[] {rank, k, -rank}, 0, 3, all[k], 0);
                final long[] out = new long[size * 2];
                for (int q = 0; q < size; q++)
                {
                    out[2 * q] = element(rank, q, k);
                    out[2 * q + 1] = -element(rank, q, k);
                }
                requests[4 * k + 2] = world.ialltoall(out, 0, exchanged[k], 0, 2);
                requests[4 * k + 3] = world.iscan(new long[] {1, 2, 3, 4, k}, 0, prefixes[k], 0, 5, ReduceOp.SUM);
            }
            // Complete them in reverse order, so the schedules advance in different orders on different ranks.
            for (int i = requests.length - 1; i >= 0; i--)
            {
                requests[i].await();
            }
            for (int k = 0; k < rounds; k++)
            {
                assertArrayEquals(reference(size, 64, ReduceOp.SUM, 1000 + k), sums[k], "iallreduce " + k);
                for (int r = 0; r < size; r++)
                {
                    assertEquals(r, all[k][3 * r], "iallgather " + k);
                    assertEquals(k, all[k][3 * r + 1], "iallgather " + k);
                    assertEquals(element(r, rank, k), exchanged[k][2 * r], "ialltoall " + k);
                }
                assertArrayEquals(new long[] {rank + 1, 2L * (rank + 1), 3L * (rank + 1), 4L * (rank + 1),
                    (long) k * (rank + 1)}, prefixes[k], "iscan " + k);
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void nonblockingBarrierProgressesWhileItsRankIsBlockedInAReceive(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            if (world.rank() == 0)
            {
                // Rank 0 never tests its barrier before it blocks; the others' blocking barrier still completes,
                // because rank 0's progress engine advances the schedule while it waits in recv.
                final Request barrier = world.ibarrier();
                final int[] value = new int[1];
                world.recv(value, 0, 1, 1, 5);
                assertEquals(42, value[0]);
                barrier.await();
            }
            else
            {
                world.barrier();
                if (world.rank() == 1)
                {
                    world.send(new int[] {42}, 0, 1, 0, 5);
                }
            }
        });
    }

    /** Element i of the block rank r sends to rank q: unique, so a misplaced block shows. */
    private static long element(final int r, final int q, final int i)
    {
        return r * 1_000_000L + q * 10_000L + i;
    }

    private static void checkExchanges(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        for (final int count : new int[] {1, 5, 3000})
        {
            final int root = count % size;
            final String what = count + " per rank on " + size + " ranks, root " + root;
            final long[] mine = new long[count + 1];
            for (int i = 0; i < count; i++)
            {
                mine[i + 1] = element(rank, 0, i);
            }
            final long[] gathered = new long[size * count + 2];
            comm.gather(mine, 1, count, rank == root ? gathered : null, 2, root);
            final long[] all = new long[size * count];
            comm.allgather(mine, 1, count, all, 0);
            final long[] toScatter = new long[size * count];
            final long[] toAll = new long[size * count];
            for (int q = 0; q < size; q++)
            {
                for (int i = 0; i < count; i++)
                {
                    toScatter[q * count + i] = element(rank, q, i);
                    toAll[q * count + i] = element(rank, q, i);
                }
            }
            final long[] scattered = new long[count];
            comm.scatter(rank == root ? toScatter : null, 0, scattered, 0, count, root);
            final long[] exchanged = new long[size * count];
            comm.alltoall(toAll, 0, exchanged, 0, count);
            for (int r = 0; r < size; r++)
            {
                for (int i = 0; i < count; i++)
                {
                    if (rank == root)
                    {
                        assertEquals(element(r, 0, i), gathered[2 + r * count + i], "gather " + what);
                    }
                    assertEquals(element(r, 0, i), all[r * count + i], "allgather " + what);
                    assertEquals(element(r, rank, i), exchanged[r * count + i], "alltoall " + what);
                }
            }
            for (int i = 0; i < count; i++)
            {
                assertEquals(element(root, rank, i), scattered[i], "scatter " + what);
            }
        }
        // Variable counts: rank r sends r + 1 elements to each rank, in reverse rank order in the buffers.
        final int[] counts = new int[size];
        final int[] displs = new int[size];
        int total = 0;
        for (int r = size - 1; r >= 0; r--)
        {
            counts[r] = r + 1;
            displs[r] = total;
            total += r + 1;
        }
        final double[] mine = new double[rank + 1];
        java.util.Arrays.fill(mine, rank);
        final double[] everyone = new double[total];
        comm.allgatherv(mine, 0, rank + 1, everyone, counts, displs);
        final double[] atRoot = new double[total];
        comm.gatherv(mine, 0, rank + 1, comm.rank() == 0 ? atRoot : null, counts, displs, 0);
        final int[] sendCounts = new int[size];
        final int[] sendDispls = new int[size];
        final int[] recvCounts = new int[size];
        final int[] recvDispls = new int[size];
        int sent = 0;
        int received = 0;
        for (int q = 0; q < size; q++)
        {
            sendCounts[q] = rank + 1;
            sendDispls[q] = sent;
            sent += rank + 1;
            recvCounts[q] = q + 1;
            recvDispls[q] = received;
            received += q + 1;
        }
        final int[] out = new int[sent];
        for (int q = 0; q < size; q++)
        {
            java.util.Arrays.fill(out, sendDispls[q], sendDispls[q] + sendCounts[q], rank * 100 + q);
        }
        final int[] in = new int[received];
        comm.alltoallv(out, sendCounts, sendDispls, in, recvCounts, recvDispls);
        for (int r = 0; r < size; r++)
        {
            for (int i = 0; i < r + 1; i++)
            {
                assertEquals(r, everyone[displs[r] + i], "allgatherv block of rank " + r);
                if (rank == 0)
                {
                    assertEquals(r, atRoot[displs[r] + i], "gatherv block of rank " + r);
                }
                assertEquals(r * 100 + rank, in[recvDispls[r] + i], "alltoallv block from rank " + r);
            }
        }
    }

    private static void checkPrefixes(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        int salt = 100;
        for (final ReduceOp op : ARITHMETIC)
        {
            for (final int count : new int[] {1, 9, 2000})
            {
                salt++;
                final long[] mine = data(rank, count, op, salt);
                final long[] inclusive = reference(rank + 1, count, op, salt);
                final long[] scanned = new long[count];
                comm.scan(mine, 0, scanned, 0, count, op);
                assertArrayEquals(inclusive, scanned, "scan " + op + " of " + count + " at rank " + rank);
                final long[] exclusive = new long[count];
                comm.exscan(mine, 0, exclusive, 0, count, op);
                if (rank > 0)
                {
                    assertArrayEquals(reference(rank, count, op, salt), exclusive, "exscan " + op + " at " + rank);
                }
                final long[] vector = data(rank, size * count, op, salt);
                final long[] block = new long[count];
                comm.reduceScatterBlock(vector, 0, block, 0, count, op);
                final long[] whole = reference(size, size * count, op, salt);
                for (int i = 0; i < count; i++)
                {
                    assertEquals(whole[rank * count + i], block[i], "reduceScatterBlock " + op + " at " + i);
                }
            }
        }
    }

    private static void checkReductions(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        int salt = 0;
        for (final ReduceOp op : ARITHMETIC)
        {
            for (final int count : COUNTS)
            {
                salt++;
                final long[] mine = data(rank, count, op, salt);
                final long[] expected = reference(size, count, op, salt);
                final int root = salt % size;
                final String what = op + " of " + count + " on " + size + " ranks, root " + root + ", seed " + SEED
                    + ", salt " + salt;

                final long[] longs = new long[count];
                comm.allreduce(mine, 0, longs, 0, count, op);
                assertArrayEquals(expected, longs, "long allreduce " + what);

                final double[] doubles = new double[count + 1];
                final double[] myDoubles = new double[count + 2];
                final int[] ints = new int[count];
                final int[] myInts = new int[count];
                final float[] floats = new float[count];
                final float[] myFloats = new float[count];
                for (int i = 0; i < count; i++)
                {
                    myDoubles[i + 2] = mine[i];
                    myInts[i] = (int) mine[i];
                    myFloats[i] = mine[i];
                }
                comm.allreduce(myDoubles, 2, doubles, 1, count, op);
                comm.allreduce(myInts, 0, ints, 0, count, op);
                comm.reduce(myFloats, 0, rank == root ? floats : null, 0, count, op, root);
                for (int i = 0; i < count; i++)
                {
                    assertEquals(expected[i], doubles[i + 1], "double allreduce " + what + " at " + i);
                    assertEquals((int) expected[i], ints[i], "int allreduce " + what + " at " + i);
                    if (rank == root)
                    {
                        assertEquals((float) expected[i], floats[i], "float reduce " + what + " at " + i);
                    }
                }
                comm.allreduce(myInts, 0, myInts, 0, count, op);
                assertEquals((int) expected[count - 1], myInts[count - 1], "int allreduce in place " + what);
            }
        }
    }

    private static void checkBroadcasts(final Communicator comm, final Cohort cohort)
    {
        final int size = comm.size();
        for (final int count : COUNTS)
        {
            final int root = count % size;
            final long[] expected = data(root, count, ReduceOp.SUM, count);
            final long[] longs = comm.rank() == root ? expected.clone() : new long[count];
            comm.bcast(longs, 0, count, root);
            assertArrayEquals(expected, longs, "long bcast of " + count + " from " + root + ", seed " + SEED);
            final byte[] bytes = new byte[count];
            if (comm.rank() == root)
            {
                for (int i = 0; i < count; i++)
                {
                    bytes[i] = (byte) expected[i];
                }
            }
            comm.bcast(bytes, 0, count, root);
            assertEquals((byte) expected[count - 1], bytes[count - 1], "byte bcast of " + count);
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment segment = count % 2 == 0 ? cohort.allocate(count * 8L)
                    : arena.allocate(count * 8L);
                if (comm.rank() == root)
                {
                    MemorySegment.copy(expected, 0, segment, ValueLayout.JAVA_LONG, 0, count);
                }
                comm.bcast(segment, root);
                assertEquals(expected[count / 2], segment.getAtIndex(ValueLayout.JAVA_LONG, count / 2),
                    "segment bcast of " + count);
            }
        }
    }
}

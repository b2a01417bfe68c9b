package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveTuning;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.data;
import static io.cohort.mpi.CollectiveReference.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collectives on MemorySegment (native, and shared from Cohort.allocate) and on direct ByteBuffers: every byte in
 * its place, under each allgather and all-to-all algorithm; allreduce of typed values in either byte order.
 */
class SegmentCollectivesTest
{
    private static final String[][] TUNINGS = {
        {"COHORT_ALLGATHER_ALGORITHM", "bruck", "COHORT_ALLTOALL_ALGORITHM", "bruck"},
        {"COHORT_ALLGATHER_ALGORITHM", "ring", "COHORT_ALLTOALL_ALGORITHM", "pairwise"},
        {"COHORT_ALLGATHER_ALGORITHM", "recursive-doubling", "COHORT_BCAST_ALGORITHM", "scatter-allgather"},
    };

    private static byte pattern(final int from, final int to, final int i)
    {
        return (byte) (from * 37 + to * 11 + i);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5})
    void byteCollectivesOnSegmentsAndByteBuffersPutEveryByteInItsPlace(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            for (final String[] setting : TUNINGS)
            {
                world.useCollectiveTuning(CollectiveTuning.defaults().with(setting[0], setting[1])
                    .with(setting[2], setting[3]));
                for (final int block : new int[] {1, 13, 5000})
                {
                    final String what = block + " bytes per rank on " + size + " ranks, " + setting[1] + "/"
                        + setting[3];
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment mine = arena.allocate(block);
                        final MemorySegment toAll = block % 2 == 1 ? arena.allocate((long) block * size)
                            : cohort.allocate((long) block * size);
                        for (int i = 0; i < block; i++)
                        {
                            mine.set(ValueLayout.JAVA_BYTE, i, pattern(rank, 0, i));
                            for (int q = 0; q < size; q++)
                            {
                                toAll.set(ValueLayout.JAVA_BYTE, (long) q * block + i, pattern(rank, q, i));
                            }
                        }
                        final MemorySegment gathered = arena.allocate((long) block * size);
                        world.allgather(mine, gathered);
                        final ByteBuffer exchanged = ByteBuffer.allocateDirect(block * size);
                        world.alltoall(toAll.asByteBuffer(), exchanged);
                        final MemorySegment atRoot = arena.allocate((long) block * size);
                        final int root = size - 1;
                        world.gather(mine, rank == root ? atRoot : null, root);
                        final ByteBuffer scattered = ByteBuffer.allocateDirect(block);
                        world.scatter(rank == root ? toAll.asByteBuffer() : null, scattered, root);
                        final ByteBuffer broadcast = ByteBuffer.allocateDirect(block);
                        if (rank == 0)
                        {
                            broadcast.put(0, mine.asByteBuffer(), 0, block);
                        }
                        world.ibcast(broadcast, 0).await();
                        for (int r = 0; r < size; r++)
                        {
                            for (int i = 0; i < block; i++)
                            {
                                final long at = (long) r * block + i;
                                assertEquals(pattern(r, 0, i), gathered.get(ValueLayout.JAVA_BYTE, at),
                                    "allgather of " + what);
                                assertEquals(pattern(r, rank, i), exchanged.get((int) at), "alltoall of " + what);
                                if (rank == root)
                                {
                                    assertEquals(pattern(r, 0, i), atRoot.get(ValueLayout.JAVA_BYTE, at),
                                        "gather of " + what);
                                }
                            }
                        }
                        for (int i = 0; i < block; i++)
                        {
                            assertEquals(pattern(root, rank, i), scattered.get(i), "scatter of " + what);
                            assertEquals(pattern(0, 0, i), broadcast.get(i), "ibcast of " + what);
                        }
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void vFormsAndNonblockingGatherAndScatterOnSegmentsPutBlocksOfEverySizeInTheirPlace(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int root = size - 1;
            // Rank r's block to rank q has 1 + (r + 2q) % 7 bytes (some blocks of 1, some of 7); every layout is
            // packed in rank order.
            final int[][] length = new int[size][size];
            for (int r = 0; r < size; r++)
            {
                for (int q = 0; q < size; q++)
                {
                    length[r][q] = 1 + (r + 2 * q) % 7;
                }
            }
            final int[] own = new int[size];
            for (int r = 0; r < size; r++)
            {
                own[r] = length[r][0];
            }
            final int[] ownDispls = packed(own);
            final int[] toEach = length[rank];
            final int[] fromEach = new int[size];
            for (int p = 0; p < size; p++)
            {
                fromEach[p] = length[p][rank];
            }
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment mine = arena.allocate(own[rank]);
                for (int i = 0; i < own[rank]; i++)
                {
                    mine.set(ValueLayout.JAVA_BYTE, i, pattern(rank, 0, i));
                }
                final MemorySegment all = cohort.allocate(sum(own));
                world.iallgatherv(mine, all, own, ownDispls).await();
                final MemorySegment atRoot = arena.allocate(sum(own));
                world.gatherv(mine, rank == root ? atRoot : null, rank == root ? own : null,
                    rank == root ? ownDispls : null, root);
                final MemorySegment outgoing = arena.allocate(sum(toEach));
                final int[] toDispls = packed(toEach);
                for (int q = 0; q < size; q++)
                {
                    for (int i = 0; i < toEach[q]; i++)
                    {
                        outgoing.set(ValueLayout.JAVA_BYTE, toDispls[q] + i, pattern(rank, q, i));
                    }
                }
                final MemorySegment incoming = arena.allocate(sum(fromEach));
                final int[] fromDispls = packed(fromEach);
                world.ialltoallv(outgoing, toEach, toDispls, incoming, fromEach, fromDispls).await();
                // The root scatters its outgoing blocks: rank q gets length[root][q] bytes.
                final MemorySegment scattered = arena.allocate(length[root][rank]);
                world.scatterv(rank == root ? outgoing : null, rank == root ? toEach : null,
                    rank == root ? toDispls : null, scattered, root);
                final MemorySegment block = arena.allocate(3);
                block.fill((byte) (rank + 1));
                final MemorySegment blocks = arena.allocate(3L * size);
                world.igather(block, rank == 0 ? blocks : null, 0).await();
                final MemorySegment piece = arena.allocate(3);
                world.iscatter(rank == 0 ? blocks : null, piece, 0).await();
                for (int r = 0; r < size; r++)
                {
                    for (int i = 0; i < own[r]; i++)
                    {
                        assertEquals(pattern(r, 0, i), all.get(ValueLayout.JAVA_BYTE, ownDispls[r] + i),
                            "iallgatherv from rank " + r + " at " + i);
                        if (rank == root)
                        {
                            assertEquals(pattern(r, 0, i), atRoot.get(ValueLayout.JAVA_BYTE, ownDispls[r] + i),
                                "gatherv from rank " + r + " at " + i);
                        }
                    }
                    for (int i = 0; i < fromEach[r]; i++)
                    {
                        assertEquals(pattern(r, rank, i), incoming.get(ValueLayout.JAVA_BYTE, fromDispls[r] + i),
                            "ialltoallv from rank " + r + " at " + i);
                    }
                    if (rank == 0)
                    {
                        assertEquals((byte) (r + 1), blocks.get(ValueLayout.JAVA_BYTE, 3L * r + 2), "igather");
                    }
                }
                for (int i = 0; i < length[root][rank]; i++)
                {
                    assertEquals(pattern(root, rank, i), scattered.get(ValueLayout.JAVA_BYTE, i), "scatterv at " + i);
                }
                assertEquals((byte) (rank + 1), piece.get(ValueLayout.JAVA_BYTE, 0), "iscatter");
            }
        });
    }

    private static int[] packed(final int[] counts)
    {
        final int[] displs = new int[counts.length];
        for (int r = 1; r < counts.length; r++)
        {
            displs[r] = displs[r - 1] + counts[r - 1];
        }
        return displs;
    }

    private static int sum(final int[] counts)
    {
        int total = 0;
        for (final int count : counts)
        {
            total += count;
        }
        return total;
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5})
    void vFormsAndReduceScatterOnDirectByteBuffersPutEveryByteInItsPlace(final int size)
    {
        // Rank q's block is q + 1 bytes; blocks sit at prefix sums.
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int[] counts = new int[size];
            final int[] displs = new int[size];
            int total = 0;
            for (int q = 0; q < size; q++)
            {
                counts[q] = q + 1;
                displs[q] = total;
                total += q + 1;
            }
            final ByteBuffer mine = ByteBuffer.allocateDirect(rank + 1);
            for (int i = 0; i <= rank; i++)
            {
                mine.put(i, (byte) (rank * 10 + i));
            }
            final ByteBuffer everyone = ByteBuffer.allocateDirect(total);
            world.allgatherv(mine, everyone, counts, displs);
            final ByteBuffer everyoneStarted = ByteBuffer.allocateDirect(total);
            world.iallgatherv(mine, everyoneStarted, counts, displs).await();
            final ByteBuffer atRoot = rank == 0 ? ByteBuffer.allocateDirect(total) : null;
            world.gatherv(mine, atRoot, counts, displs, 0);
            final ByteBuffer atRootStarted = rank == 0 ? ByteBuffer.allocateDirect(total) : null;
            world.igatherv(mine, atRootStarted, counts, displs, 0).await();
            final int root = size - 1;
            ByteBuffer toScatter = null;
            if (rank == root)
            {
                toScatter = ByteBuffer.allocateDirect(total);
                for (int q = 0; q < size; q++)
                {
                    for (int i = 0; i <= q; i++)
                    {
                        toScatter.put(displs[q] + i, (byte) (q * 10 + i + 1));
                    }
                }
            }
            final ByteBuffer scattered = ByteBuffer.allocateDirect(rank + 1);
            world.scatterv(toScatter, counts, displs, scattered, root);
            final ByteBuffer scatteredStarted = ByteBuffer.allocateDirect(rank + 1);
            world.iscatterv(toScatter, counts, displs, scatteredStarted, root).await();
            // Alltoallv: rank r sends r + 1 bytes to every rank, so it receives q + 1 from rank q.
            final int[] sendCounts = new int[size];
            final int[] sendDispls = new int[size];
            final ByteBuffer out = ByteBuffer.allocateDirect(size * (rank + 1));
            for (int q = 0; q < size; q++)
            {
                sendCounts[q] = rank + 1;
                sendDispls[q] = q * (rank + 1);
                for (int i = 0; i <= rank; i++)
                {
                    out.put(sendDispls[q] + i, (byte) (rank * 16 + q));
                }
            }
            final ByteBuffer in = ByteBuffer.allocateDirect(total);
            world.alltoallv(out, sendCounts, sendDispls, in, counts, displs);
            final ByteBuffer inStarted = ByteBuffer.allocateDirect(total);
            world.ialltoallv(out, sendCounts, sendDispls, inStarted, counts, displs).await();
            for (int q = 0; q < size; q++)
            {
                for (int i = 0; i <= q; i++)
                {
                    final int at = displs[q] + i;
                    assertEquals((byte) (q * 10 + i), everyone.get(at), "ByteBuffer allgatherv from rank " + q);
                    assertEquals((byte) (q * 10 + i), everyoneStarted.get(at), "ByteBuffer iallgatherv from " + q);
                    if (rank == 0)
                    {
                        assertEquals((byte) (q * 10 + i), atRoot.get(at), "ByteBuffer gatherv from rank " + q);
                        assertEquals((byte) (q * 10 + i), atRootStarted.get(at), "ByteBuffer igatherv from " + q);
                    }
                    assertEquals((byte) (q * 16 + rank), in.get(at), "ByteBuffer alltoallv from rank " + q);
                    assertEquals((byte) (q * 16 + rank), inStarted.get(at), "ByteBuffer ialltoallv from " + q);
                }
            }
            for (int i = 0; i <= rank; i++)
            {
                assertEquals((byte) (rank * 10 + i + 1), scattered.get(i), "ByteBuffer scatterv at " + i);
                assertEquals((byte) (rank * 10 + i + 1), scatteredStarted.get(i), "ByteBuffer iscatterv at " + i);
            }
            // Reduce-scatter of ints: every rank sends rank + 1 everywhere; rank q gets q + 1 sums (or 2 per block).
            final ValueLayout.OfInt ints = ValueLayout.JAVA_INT_UNALIGNED;
            final int sum = size * (size + 1) / 2;
            final ByteBuffer values = ByteBuffer.allocateDirect(4 * Math.max(total, 2 * size))
                .order(ByteOrder.nativeOrder());
            for (int i = 0; i < values.capacity() / 4; i++)
            {
                values.putInt(4 * i, rank + 1);
            }
            final ByteBuffer mySums = ByteBuffer.allocateDirect(4 * (rank + 1));
            world.reduceScatter(values.slice(0, 4 * total), mySums, ints, counts, ReduceOp.SUM);
            final ByteBuffer mySumsStarted = ByteBuffer.allocateDirect(4 * (rank + 1));
            world.ireduceScatter(values.slice(0, 4 * total), mySumsStarted, ints, counts, ReduceOp.SUM).await();
            final ByteBuffer block = ByteBuffer.allocateDirect(8);
            world.reduceScatterBlock(values.slice(0, 8 * size), block, ints, ReduceOp.SUM);
            final ByteBuffer blockStarted = ByteBuffer.allocateDirect(8);
            world.ireduceScatterBlock(values.slice(0, 8 * size), blockStarted, ints, ReduceOp.SUM).await();
            for (int i = 0; i <= rank; i++)
            {
                assertEquals(sum, mySums.order(ByteOrder.nativeOrder()).getInt(4 * i), "ByteBuffer reduceScatter");
                assertEquals(sum, mySumsStarted.order(ByteOrder.nativeOrder()).getInt(4 * i),
                    "ByteBuffer ireduceScatter");
            }
            for (int i = 0; i < 2; i++)
            {
                assertEquals(sum, block.order(ByteOrder.nativeOrder()).getInt(4 * i), "ByteBuffer reduceScatterBlock");
                assertEquals(sum, blockStarted.order(ByteOrder.nativeOrder()).getInt(4 * i),
                    "ByteBuffer ireduceScatterBlock");
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void reduceScanAndExscanOfValuesInSegmentsAndDirectBuffersMatchTheSerialReference(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int root = size / 2;
            final ValueLayout.OfInt bigEndianInts = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            for (final ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX})
            {
                for (final int count : new int[] {1, 7, 3000})
                {
                    final long[] values = data(rank, count, op, count);
                    final String what = op + " of " + count + " on " + size + " ranks, seed " + SEED;
                    try (Arena arena = Arena.ofConfined())
                    {
                        final MemorySegment doubles = arena.allocate(8L * count);
                        final ByteBuffer ints = ByteBuffer.allocateDirect(4 * count);
                        for (int i = 0; i < count; i++)
                        {
                            doubles.setAtIndex(ValueLayout.JAVA_DOUBLE, i, values[i]);
                            ints.putInt(4 * i, (int) values[i]);
                        }
                        final MemorySegment reduced = arena.allocate(8L * count);
                        world.reduce(doubles, rank == root ? reduced : null, ValueLayout.JAVA_DOUBLE, op, root);
                        final ByteBuffer allReduced = ByteBuffer.allocateDirect(4 * count);
                        world.iallreduce(ints, allReduced, bigEndianInts, op).await();
                        final ByteBuffer reducedInts = ByteBuffer.allocateDirect(4 * count);
                        world.reduce(ints, rank == root ? reducedInts : null, bigEndianInts, op, root);
                        final ByteBuffer startedReduce = ByteBuffer.allocateDirect(4 * count);
                        world.ireduce(ints, rank == root ? startedReduce : null, bigEndianInts, op, root).await();
                        final ByteBuffer intPrefix = ByteBuffer.allocateDirect(4 * count);
                        world.scan(ints, intPrefix, bigEndianInts, op);
                        final ByteBuffer startedPrefix = ByteBuffer.allocateDirect(4 * count);
                        world.iscan(ints, startedPrefix, bigEndianInts, op, true).await();
                        final ByteBuffer intsBefore = ByteBuffer.allocateDirect(4 * count);
                        world.exscan(ints, intsBefore, bigEndianInts, op);
                        final MemorySegment startedBefore = arena.allocate(8L * count);
                        world.iexscan(doubles, startedBefore, ValueLayout.JAVA_DOUBLE, op).await();
                        final MemorySegment prefix = arena.allocate(8L * count);
                        world.scan(doubles, prefix, ValueLayout.JAVA_DOUBLE, op);
                        final MemorySegment before = arena.allocate(8L * count).fill((byte) 0x7f);
                        world.exscan(doubles, before, ValueLayout.JAVA_DOUBLE, op);
                        world.iscan(doubles, doubles, ValueLayout.JAVA_DOUBLE, op, true).await();
                        final long[] all = reference(size, count, op, count);
                        final long[] upToMe = reference(rank + 1, count, op, count);
                        final long[] belowMe = rank == 0 ? null : reference(rank, count, op, count);
                        for (int i = 0; i < count; i++)
                        {
                            if (rank == root)
                            {
                                assertEquals(all[i], reduced.getAtIndex(ValueLayout.JAVA_DOUBLE, i), "reduce " + what);
                                assertEquals((int) all[i], reducedInts.getInt(4 * i), "ByteBuffer reduce " + what);
                                assertEquals((int) all[i], startedReduce.getInt(4 * i), "ByteBuffer ireduce " + what);
                            }
                            assertEquals((int) upToMe[i], intPrefix.getInt(4 * i), "ByteBuffer scan " + what);
                            assertEquals((int) upToMe[i], startedPrefix.getInt(4 * i), "ByteBuffer iscan " + what);
                            assertEquals((int) all[i], allReduced.getInt(4 * i), "ByteBuffer iallreduce " + what);
                            assertEquals(upToMe[i], prefix.getAtIndex(ValueLayout.JAVA_DOUBLE, i), "scan " + what);
                            assertEquals(upToMe[i], doubles.getAtIndex(ValueLayout.JAVA_DOUBLE, i),
                                "iscan in place " + what);
                            if (belowMe != null)
                            {
                                assertEquals(belowMe[i], before.getAtIndex(ValueLayout.JAVA_DOUBLE, i),
                                    "exscan " + what);
                                assertEquals((int) belowMe[i], intsBefore.getInt(4 * i), "ByteBuffer exscan " + what);
                                assertEquals(belowMe[i], startedBefore.getAtIndex(ValueLayout.JAVA_DOUBLE, i),
                                    "iexscan " + what);
                            }
                            else
                            {
                                assertEquals(0x7f7f7f7f7f7f7f7fL, before.getAtIndex(ValueLayout.JAVA_LONG, i),
                                    "exscan leaves rank 0's buffer as it was");
                            }
                        }
                    }
                }
            }
        });
    }

    /** A value of rank {@code r} at index {@code i} that overflows a byte or short when a few ranks add up. */
    private static int narrow(final int r, final int i)
    {
        return r * 40_009 + i * 7_919 + 100;
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void byteShortAndCharValuesReduceAsTheirOwnTypeWithWrappingSumsAndUnsignedChars(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int count = 300;
            final ValueLayout.OfShort bigEndianShorts =
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            final byte[] bytes = new byte[count];
            final short[] shorts = new short[count];
            final char[] chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                bytes[i] = (byte) narrow(rank, i);
                shorts[i] = (short) narrow(rank, i);
                chars[i] = (char) narrow(rank, i);
            }
            final byte[] byteSums = new byte[count];
            world.allreduce(MemorySegment.ofArray(bytes), MemorySegment.ofArray(byteSums), ValueLayout.JAVA_BYTE,
                ReduceOp.SUM);
            final byte[] byteMins = new byte[count];
            world.allreduce(MemorySegment.ofArray(bytes), MemorySegment.ofArray(byteMins), ValueLayout.JAVA_BYTE,
                ReduceOp.MIN);
            final byte[] byteXors = new byte[count];
            world.iallreduce(MemorySegment.ofArray(bytes), MemorySegment.ofArray(byteXors), ValueLayout.JAVA_BYTE,
                ReduceOp.BXOR).await();
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment bigEndian = arena.allocate(2L * count);
                for (int i = 0; i < count; i++)
                {
                    bigEndian.set(bigEndianShorts, 2L * i, shorts[i]);
                }
                final MemorySegment shortPrefix = arena.allocate(2L * count);
                world.scan(bigEndian, shortPrefix, bigEndianShorts, ReduceOp.SUM);
                final char[] charMaxes = new char[count];
                world.reduce(MemorySegment.ofArray(chars), MemorySegment.ofArray(charMaxes), ValueLayout.JAVA_CHAR,
                    ReduceOp.MAX, 0);
                for (int i = 0; i < count; i++)
                {
                    byte sum = 0;
                    byte min = Byte.MAX_VALUE;
                    byte xor = 0;
                    short prefix = 0;
                    char max = 0;
                    for (int r = 0; r < size; r++)
                    {
                        sum += (byte) narrow(r, i);
                        min = (byte) Math.min(min, (byte) narrow(r, i));
                        xor ^= (byte) narrow(r, i);
                        prefix += r <= rank ? (short) narrow(r, i) : 0;
                        max = (char) Math.max(max, (char) narrow(r, i));
                    }
                    final String at = " at " + i + " on " + size + " ranks";
                    assertEquals(sum, byteSums[i], "byte SUM wraps as bytes do" + at);
                    assertEquals(min, byteMins[i], "byte MIN is signed" + at);
                    assertEquals(xor, byteXors[i], "byte BXOR" + at);
                    assertEquals(prefix, shortPrefix.get(bigEndianShorts, 2L * i), "big-endian short scan" + at);
                    if (rank == 0)
                    {
                        assertEquals(max, charMaxes[i], "char MAX is unsigned" + at);
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void reduceScatterOfValuesInSegmentsGivesEachRankItsBlockOfTheSerialResult(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int[] counts = new int[size];
            int total = 0;
            for (int r = 0; r < size; r++)
            {
                counts[r] = r == 1 ? 0 : 1 + r * 700;
                total += counts[r];
            }
            int first = 0;
            for (int r = 0; r < rank; r++)
            {
                first += counts[r];
            }
            final int block = 3;
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment doubles = arena.allocate(8L * total);
                final MemorySegment ints = arena.allocate(4L * block * size);
                for (int i = 0; i < total; i++)
                {
                    doubles.setAtIndex(ValueLayout.JAVA_DOUBLE, i, narrow(rank, i));
                }
                for (int i = 0; i < block * size; i++)
                {
                    ints.setAtIndex(ValueLayout.JAVA_INT, i, narrow(rank, i) % 1000);
                }
                final MemorySegment sums = arena.allocate(8L * Math.max(1, counts[rank]));
                world.reduceScatter(doubles, sums, ValueLayout.JAVA_DOUBLE, counts, ReduceOp.SUM);
                final MemorySegment maxes = arena.allocate(4L * block);
                world.ireduceScatterBlock(ints, maxes, ValueLayout.JAVA_INT, ReduceOp.MAX).await();
                for (int i = 0; i < counts[rank]; i++)
                {
                    double sum = 0;
                    for (int r = 0; r < size; r++)
                    {
                        sum += narrow(r, first + i);
                    }
                    assertEquals(sum, sums.getAtIndex(ValueLayout.JAVA_DOUBLE, i),
                        "reduceScatter SUM, rank " + rank + "'s value " + i + " on " + size + " ranks");
                }
                for (int i = 0; i < block; i++)
                {
                    int max = Integer.MIN_VALUE;
                    for (int r = 0; r < size; r++)
                    {
                        max = Math.max(max, narrow(r, rank * block + i) % 1000);
                    }
                    assertEquals(max, maxes.getAtIndex(ValueLayout.JAVA_INT, i),
                        "reduceScatterBlock MAX, rank " + rank + "'s value " + i + " on " + size + " ranks");
                }
                if (size > 1)
                {
                    final CohortException uneven = assertThrows(CohortException.class,
                        () -> world.reduceScatterBlock(arena.allocate(4L * size + 4), maxes, ValueLayout.JAVA_INT,
                            ReduceOp.MAX));
                    assertTrue(uneven.getMessage().contains("do not split into " + size + " equal blocks"),
                        uneven.getMessage());
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5})
    void allreduceOfValuesInASegmentMatchesTheSerialReferenceInEitherByteOrder(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final ValueLayout.OfInt bigEndianInts = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
            for (final int count : new int[] {1, 7, 20_000})
            {
                final long[] values = data(rank, count, ReduceOp.SUM, count);
                final long[] expected = reference(size, count, ReduceOp.SUM, count);
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment doubles = arena.allocate(8L * count);
                    final MemorySegment ints = arena.allocate(4L * count);
                    for (int i = 0; i < count; i++)
                    {
                        doubles.setAtIndex(ValueLayout.JAVA_DOUBLE, i, values[i]);
                        ints.set(bigEndianInts, 4L * i, (int) values[i]);
                    }
                    final MemorySegment sums = cohort.allocate(8L * count);
                    world.allreduce(doubles, sums, ValueLayout.JAVA_DOUBLE, ReduceOp.SUM);
                    world.iallreduce(ints, ints, bigEndianInts, ReduceOp.SUM).await();
                    for (int i = 0; i < count; i++)
                    {
                        assertEquals(expected[i], sums.getAtIndex(ValueLayout.JAVA_DOUBLE, i),
                            "double allreduce of " + count + " at " + i + ", seed " + SEED);
                        assertEquals((int) expected[i], ints.get(bigEndianInts, 4L * i),
                            "big-endian int allreduce in place of " + count + " at " + i + ", seed " + SEED);
                    }
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2})
    void segmentsThatCannotHoldTheResultAreRejectedBeforeAnythingIsSent(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            try (Arena arena = Arena.ofConfined())
            {
                final CohortException small = assertThrows(CohortException.class,
                    () -> world.allgather(arena.allocate(8), arena.allocate(8)));
                assertTrue(small.getMessage().contains("needs 16 bytes, it has 8"), small.getMessage());
                final CohortException uneven = assertThrows(CohortException.class,
                    () -> world.alltoall(arena.allocate(5), arena.allocate(5)));
                assertTrue(uneven.getMessage().contains("do not split into 2 equal blocks"), uneven.getMessage());
                final CohortException partial = assertThrows(CohortException.class,
                    () -> world.allreduce(arena.allocate(6), arena.allocate(6), ValueLayout.JAVA_INT, ReduceOp.SUM));
                assertTrue(partial.getMessage().contains("not a whole number of 4-byte"), partial.getMessage());
            }
            world.barrier();
        });
    }
}

package io.cohort.mpi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.cohort.mpi.CollectiveReference.SEED;
import static io.cohort.mpi.CollectiveReference.data;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The whole matrix of reductions: every reducing collective (blocking and nonblocking) × every predefined operation
 * (MINLOC and MAXLOC on (value, index) pairs) × every type it is defined on × communicator sizes 1, 2, 3, 5 and 8
 * and split sub-communicators, each result against the serial reference of the same random data
 * ({@link CollectiveReference}, seed printed on failure). Arrays of int, long, float and double go through the array
 * forms; those and byte, short and char values go through the segment forms too.
 */
class ReductionMatrixTest
{
    private static final int[] COUNTS = {1, 7, 1000};
    private static final ReduceOp[] ARITHMETIC = {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX,
        ReduceOp.MINLOC, ReduceOp.MAXLOC};
    private static final ReduceOp[] ALL = {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX, ReduceOp.LAND,
        ReduceOp.LOR, ReduceOp.LXOR, ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR, ReduceOp.MINLOC, ReduceOp.MAXLOC};
    private static final String[] ARRAY_COLLECTIVES = {"allreduce", "iallreduce", "reduce", "ireduce", "scan",
        "iscan", "exscan", "iexscan", "reduceScatterBlock", "ireduceScatterBlock", "reduceScatter", "ireduceScatter"};
    private static final String[] SEGMENT_COLLECTIVES = {"allreduce", "iallreduce", "reduce", "ireduce", "scan",
        "iscan", "exscan", "reduceScatterBlock", "ireduceScatter"};

    /** A type of value, with how it is held and how its values narrow from the reference's longs. */
    private enum Kind
    {
        INT(ValueLayout.JAVA_INT), LONG(ValueLayout.JAVA_LONG), FLOAT(ValueLayout.JAVA_FLOAT),
        DOUBLE(ValueLayout.JAVA_DOUBLE), BYTE(ValueLayout.JAVA_BYTE),
        SHORT(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN)), CHAR(ValueLayout.JAVA_CHAR);

        private final ValueLayout layout;

        Kind(final ValueLayout layout)
        {
            this.layout = layout;
        }

        boolean integral()
        {
            return this != FLOAT && this != DOUBLE;
        }

        boolean hasArrayForms()
        {
            return this == INT || this == LONG || this == FLOAT || this == DOUBLE;
        }

        /** A reference value as this type holds it, read back as a long (byte and short signed, char unsigned). */
        long narrow(final long value)
        {
            return switch (this)
            {
                case INT -> (int) value;
                case BYTE -> (byte) value;
                case SHORT -> (short) value;
                case CHAR -> (char) value;
                default -> value;
            };
        }

        Object array(final long[] values)
        {
            final int n = values.length;
            return switch (this)
            {
                case INT ->
                {
                    final int[] a = new int[n];
                    Arrays.setAll(a, i -> (int) values[i]);
                    yield a;
                }
                case LONG -> values.clone();
                case FLOAT ->
                {
                    final float[] a = new float[n];
                    for (int i = 0; i < n; i++)
                    {
                        a[i] = values[i];
                    }
                    yield a;
                }
                case DOUBLE ->
                {
                    final double[] a = new double[n];
                    Arrays.setAll(a, i -> values[i]);
                    yield a;
                }
                default -> throw new IllegalStateException(this + " has no array forms");
            };
        }

        long[] longs(final Object array, final int count)
        {
            final long[] out = new long[count];
            for (int i = 0; i < count; i++)
            {
                out[i] = switch (array)
                {
                    case int[] a -> a[i];
                    case long[] a -> a[i];
                    case float[] a -> (long) a[i];
                    case double[] a -> (long) a[i];
                    default -> throw new IllegalStateException();
                };
            }
            return out;
        }

        MemorySegment segment(final Arena arena, final long[] values)
        {
            final MemorySegment segment = arena.allocate(Math.max(1, values.length) * layout.byteSize());
            for (int i = 0; i < values.length; i++)
            {
                final long at = i * layout.byteSize();
                switch (layout)
                {
                    case ValueLayout.OfInt l -> segment.set(l, at, (int) values[i]);
                    case ValueLayout.OfLong l -> segment.set(l, at, values[i]);
                    case ValueLayout.OfFloat l -> segment.set(l, at, values[i]);
                    case ValueLayout.OfDouble l -> segment.set(l, at, values[i]);
                    case ValueLayout.OfByte l -> segment.set(l, at, (byte) values[i]);
                    case ValueLayout.OfShort l -> segment.set(l, at, (short) values[i]);
                    case ValueLayout.OfChar l -> segment.set(l, at, (char) values[i]);
                    default -> throw new IllegalStateException();
                }
            }
            return segment;
        }

        long[] longs(final MemorySegment segment, final int count)
        {
            final long[] out = new long[count];
            for (int i = 0; i < count; i++)
            {
                final long at = i * layout.byteSize();
                out[i] = switch (layout)
                {
                    case ValueLayout.OfInt l -> segment.get(l, at);
                    case ValueLayout.OfLong l -> segment.get(l, at);
                    case ValueLayout.OfFloat l -> (long) segment.get(l, at);
                    case ValueLayout.OfDouble l -> (long) segment.get(l, at);
                    case ValueLayout.OfByte l -> segment.get(l, at);
                    case ValueLayout.OfShort l -> segment.get(l, at);
                    case ValueLayout.OfChar l -> segment.get(l, at);
                    default -> throw new IllegalStateException();
                };
            }
            return out;
        }
    }

    /** The data of ranks {@code from..to-1} combined in rank order, each value as {@code kind} holds it. */
    private static long[] reference(final Kind kind, final int from, final int to, final int count, final ReduceOp op,
        final int salt)
    {
        final long[] result = narrowed(kind, data(from, count, op, salt));
        for (int r = from + 1; r < to; r++)
        {
            op.apply(narrowed(kind, data(r, count, op, salt)), 0, result, 0, count);
            for (int i = 0; i < count; i++)
            {
                result[i] = kind.narrow(result[i]);
            }
        }
        return result;
    }

    private static long[] narrowed(final Kind kind, final long[] values)
    {
        final long[] out = new long[values.length];
        Arrays.setAll(out, i -> kind.narrow(values[i]));
        return out;
    }

    private static ReduceOp[] operationsOn(final Kind kind)
    {
        return kind.integral() ? ALL : ARITHMETIC;
    }

    /** What one call computes: its send data per rank, how many values this rank gets, and from which ranks. */
    private record Case(String collective, int count, int root, int[] counts)
    {
        int sent(final int size)
        {
            return switch (collective)
            {
                case "reduceScatterBlock", "ireduceScatterBlock" -> count * size;
                case "reduceScatter", "ireduceScatter" -> Arrays.stream(counts).sum();
                default -> count;
            };
        }

        int firstOf(final int rank)
        {
            return switch (collective)
            {
                case "reduceScatterBlock", "ireduceScatterBlock" -> rank * count;
                case "reduceScatter", "ireduceScatter" -> Arrays.stream(counts, 0, rank).sum();
                default -> 0;
            };
        }

        int gets(final int rank)
        {
            return switch (collective)
            {
                case "reduceScatterBlock", "ireduceScatterBlock" -> count;
                case "reduceScatter", "ireduceScatter" -> counts[rank];
                default -> count;
            };
        }

        /** The expected values at this rank, or null where the collective leaves the buffer undefined. */
        long[] expected(final Kind kind, final int rank, final int size, final ReduceOp op, final int salt)
        {
            final int sent = sent(size);
            final long[] whole = switch (collective)
            {
                case "scan", "iscan" -> reference(kind, 0, rank + 1, sent, op, salt);
                case "exscan", "iexscan" -> rank == 0 ? null : reference(kind, 0, rank, sent, op, salt);
                case "reduce", "ireduce" -> rank == root ? reference(kind, 0, size, sent, op, salt) : null;
                default -> reference(kind, 0, size, sent, op, salt);
            };
            return whole == null ? null : Arrays.copyOfRange(whole, firstOf(rank), firstOf(rank) + gets(rank));
        }
    }

    private static void callOnArrays(final Communicator comm, final Case c, final Object send, final Object recv,
        final ReduceOp op)
    {
        final int n = c.count();
        final int root = c.root();
        final int[] counts = c.counts();
        switch (send)
        {
            case int[] s ->
            {
                final int[] r = (int[]) recv;
                switch (c.collective())
                {
                    case "allreduce" -> comm.allreduce(s, 0, r, 0, n, op);
                    case "iallreduce" -> comm.iallreduce(s, 0, r, 0, n, op).await();
                    case "reduce" -> comm.reduce(s, 0, r, 0, n, op, root);
                    case "ireduce" -> comm.ireduce(s, 0, r, 0, n, op, root).await();
                    case "scan" -> comm.scan(s, 0, r, 0, n, op);
                    case "iscan" -> comm.iscan(s, 0, r, 0, n, op).await();
                    case "exscan" -> comm.exscan(s, 0, r, 0, n, op);
                    case "iexscan" -> comm.iexscan(s, 0, r, 0, n, op).await();
                    case "reduceScatterBlock" -> comm.reduceScatterBlock(s, 0, r, 0, n, op);
                    case "ireduceScatterBlock" -> comm.ireduceScatterBlock(s, 0, r, 0, n, op).await();
                    case "reduceScatter" -> comm.reduceScatter(s, 0, r, 0, counts, op);
                    default -> comm.ireduceScatter(s, 0, r, 0, counts, op).await();
                }
            }
            case long[] s ->
            {
                final long[] r = (long[]) recv;
                switch (c.collective())
                {
                    case "allreduce" -> comm.allreduce(s, 0, r, 0, n, op);
                    case "iallreduce" -> comm.iallreduce(s, 0, r, 0, n, op).await();
                    case "reduce" -> comm.reduce(s, 0, r, 0, n, op, root);
                    case "ireduce" -> comm.ireduce(s, 0, r, 0, n, op, root).await();
                    case "scan" -> comm.scan(s, 0, r, 0, n, op);
                    case "iscan" -> comm.iscan(s, 0, r, 0, n, op).await();
                    case "exscan" -> comm.exscan(s, 0, r, 0, n, op);
                    case "iexscan" -> comm.iexscan(s, 0, r, 0, n, op).await();
                    case "reduceScatterBlock" -> comm.reduceScatterBlock(s, 0, r, 0, n, op);
                    case "ireduceScatterBlock" -> comm.ireduceScatterBlock(s, 0, r, 0, n, op).await();
                    case "reduceScatter" -> comm.reduceScatter(s, 0, r, 0, counts, op);
                    default -> comm.ireduceScatter(s, 0, r, 0, counts, op).await();
                }
            }
            case float[] s ->
            {
                final float[] r = (float[]) recv;
                switch (c.collective())
                {
                    case "allreduce" -> comm.allreduce(s, 0, r, 0, n, op);
                    case "iallreduce" -> comm.iallreduce(s, 0, r, 0, n, op).await();
                    case "reduce" -> comm.reduce(s, 0, r, 0, n, op, root);
                    case "ireduce" -> comm.ireduce(s, 0, r, 0, n, op, root).await();
                    case "scan" -> comm.scan(s, 0, r, 0, n, op);
                    case "iscan" -> comm.iscan(s, 0, r, 0, n, op).await();
                    case "exscan" -> comm.exscan(s, 0, r, 0, n, op);
                    case "iexscan" -> comm.iexscan(s, 0, r, 0, n, op).await();
                    case "reduceScatterBlock" -> comm.reduceScatterBlock(s, 0, r, 0, n, op);
                    case "ireduceScatterBlock" -> comm.ireduceScatterBlock(s, 0, r, 0, n, op).await();
                    case "reduceScatter" -> comm.reduceScatter(s, 0, r, 0, counts, op);
                    default -> comm.ireduceScatter(s, 0, r, 0, counts, op).await();
                }
            }
            case double[] s ->
            {
                final double[] r = (double[]) recv;
                switch (c.collective())
                {
                    case "allreduce" -> comm.allreduce(s, 0, r, 0, n, op);
                    case "iallreduce" -> comm.iallreduce(s, 0, r, 0, n, op).await();
                    case "reduce" -> comm.reduce(s, 0, r, 0, n, op, root);
                    case "ireduce" -> comm.ireduce(s, 0, r, 0, n, op, root).await();
                    case "scan" -> comm.scan(s, 0, r, 0, n, op);
                    case "iscan" -> comm.iscan(s, 0, r, 0, n, op).await();
                    case "exscan" -> comm.exscan(s, 0, r, 0, n, op);
                    case "iexscan" -> comm.iexscan(s, 0, r, 0, n, op).await();
                    case "reduceScatterBlock" -> comm.reduceScatterBlock(s, 0, r, 0, n, op);
                    case "ireduceScatterBlock" -> comm.ireduceScatterBlock(s, 0, r, 0, n, op).await();
                    case "reduceScatter" -> comm.reduceScatter(s, 0, r, 0, counts, op);
                    default -> comm.ireduceScatter(s, 0, r, 0, counts, op).await();
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    private static void callOnSegments(final Communicator comm, final Case c, final MemorySegment send,
        final MemorySegment recv, final ValueLayout layout, final ReduceOp op)
    {
        switch (c.collective())
        {
            case "allreduce" -> comm.allreduce(send, recv, layout, op);
            case "iallreduce" -> comm.iallreduce(send, recv, layout, op).await();
            case "reduce" -> comm.reduce(send, recv, layout, op, c.root());
            case "ireduce" -> comm.ireduce(send, recv, layout, op, c.root()).await();
            case "scan" -> comm.scan(send, recv, layout, op);
            case "iscan" -> comm.iscan(send, recv, layout, op, true).await();
            case "exscan" -> comm.exscan(send, recv, layout, op);
            case "reduceScatterBlock" -> comm.reduceScatterBlock(send, recv, layout, op);
            default -> comm.ireduceScatter(send, recv, layout, c.counts(), op).await();
        }
    }

    private static void checkMatrix(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        int salt = 0;
        for (final Kind kind : Kind.values())
        {
            for (final ReduceOp op : operationsOn(kind))
            {
                // MINLOC and MAXLOC combine (value, index) pairs: counts of whole pairs.
                final int pair = op == ReduceOp.MINLOC || op == ReduceOp.MAXLOC ? 2 : 1;
                for (final int values : COUNTS)
                {
                    final int count = values * pair;
                    final int[] counts = new int[size];
                    Arrays.setAll(counts, r -> r == 1 ? 0 : (values + r) * pair);
                    final String[] collectives = kind.hasArrayForms() ? ARRAY_COLLECTIVES : new String[0];
                    for (final String collective : collectives)
                    {
                        final Case c = new Case(collective, count, ++salt % size, counts);
                        final long[] mine = data(rank, c.sent(size), op, salt);
                        final Object recv = kind.array(new long[Math.max(1, c.gets(rank))]);
                        callOnArrays(comm, c, kind.array(mine), recv, op);
                        final long[] expected = c.expected(kind, rank, size, op, salt);
                        if (expected != null)
                        {
                            assertArrayEquals(expected, kind.longs(recv, c.gets(rank)), () -> kind + " array "
                                + collective + " " + op + " of " + count + " at rank " + rank + " of " + size
                                + ", seed " + SEED);
                        }
                    }
                    for (final String collective : SEGMENT_COLLECTIVES)
                    {
                        final Case c = new Case(collective, count, ++salt % size, counts);
                        final long[] mine = data(rank, c.sent(size), op, salt);
                        try (Arena arena = Arena.ofConfined())
                        {
                            final MemorySegment recv = kind.segment(arena, new long[c.gets(rank)]);
                            callOnSegments(comm, c, kind.segment(arena, mine), recv, kind.layout, op);
                            final long[] expected = c.expected(kind, rank, size, op, salt);
                            if (expected != null)
                            {
                                assertArrayEquals(expected, kind.longs(recv, c.gets(rank)), () -> kind + " segment "
                                    + collective + " " + op + " of " + count + " at rank " + rank + " of " + size
                                    + ", seed " + SEED);
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void everyReductionOfEveryTypeAndOperationMatchesTheSerialReference(final int size)
    {
        ThreadedJob.run(size, cohort -> checkMatrix(cohort.world()));
    }

    @ParameterizedTest(name = "{0} ranks split in two")
    @ValueSource(ints = {5, 8})
    void everyReductionOnASplitCommunicatorMatchesTheSerialReferenceOfItsRanks(final int size)
    {
        ThreadedJob.run(size, cohort ->
        {
            final Communicator half = cohort.world().split(cohort.world().rank() % 2, cohort.world().rank());
            checkMatrix(half);
        });
    }
}

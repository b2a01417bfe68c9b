package io.cohort.benchmarks.osu;

import io.cohort.mpi.Cohort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The kinds of buffer a benchmark can send from: Cohort's shared memory (single copy for large messages),
 * ordinary native memory, or a Java heap array seen as a segment.
 */
enum BenchmarkBuffers
{
    /** Memory from {@link Cohort#allocate}: large messages are copied once, by the receiver. */
    SHARED,
    /** Off-heap memory from an arena: large messages go through shared-memory fragments (two copies). */
    NATIVE,
    /** A byte[] on the Java heap: the same as native, from the heap. */
    HEAP;

    MemorySegment allocate(final Cohort cohort, final Arena arena, final long bytes)
    {
        return switch (this)
        {
            case SHARED -> cohort.allocate(Math.max(bytes, 1));
            case NATIVE -> arena.allocate(Math.max(bytes, 1), 64);
            case HEAP -> MemorySegment.ofArray(new byte[(int) Math.max(bytes, 1)]);
        };
    }

    static BenchmarkBuffers parse(final String text)
    {
        try
        {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--buffer " + text + " is not one of shared, native, heap", ex);
        }
    }
}

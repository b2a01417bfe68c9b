package io.cohort.mpi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A byte pattern, one per seed, that the single-copy collective tests write into segments and check on arrival. */
final class BytePattern
{
    private BytePattern()
    {
    }

    /** Writes the pattern of {@code seed} over the whole segment. */
    static void fill(final MemorySegment data, final int seed)
    {
        for (long i = 0; i < data.byteSize(); i++)
        {
            data.set(ValueLayout.JAVA_BYTE, i, expected(i, seed));
        }
    }

    /** Fails, naming {@code what} and the first wrong byte, unless the segment holds the pattern of {@code seed}. */
    static void check(final MemorySegment data, final int seed, final String what)
    {
        for (long i = 0; i < data.byteSize(); i++)
        {
            if (data.get(ValueLayout.JAVA_BYTE, i) != expected(i, seed))
            {
                assertEquals(expected(i, seed), data.get(ValueLayout.JAVA_BYTE, i), what + ": byte " + i);
            }
        }
    }

    private static byte expected(final long i, final int seed)
    {
        return (byte) (i * 31 + seed);
    }
}

package io.cohort.mpi.collective;

import io.cohort.mpi.CohortException;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;

/**
 * Copies and scratch space for the blocks of a collective's buffer, whichever kind it is: a primitive array
 * (offsets and counts in elements) or a {@code MemorySegment} (in bytes; its scratch space is a byte array, which
 * the channel sends and receives like any other buffer).
 */
final class Blocks
{
    private Blocks()
    {
    }

    /**
     * Copies {@code count} elements (bytes for segments) between two buffers of the same element type.
     *
     * @param from       an array, or a segment or byte array
     * @param fromOffset the first element
     * @param to         an array of the same type, or a segment or byte array
     * @param toOffset   the first element
     * @param count      elements
     */
    static void copy(final Object from, final int fromOffset, final Object to, final int toOffset, final int count)
    {
        if (count == 0)
        {
            return;
        }
        if (from instanceof MemorySegment || to instanceof MemorySegment)
        {
            MemorySegment.copy(segment(from), fromOffset, segment(to), toOffset, count);
        }
        else
        {
            System.arraycopy(from, fromOffset, to, toOffset, count);
        }
    }

    private static MemorySegment segment(final Object buffer)
    {
        return switch (buffer)
        {
            case MemorySegment s -> s;
            case byte[] bytes -> MemorySegment.ofArray(bytes);
            default -> throw new CohortException("a segment's blocks copy only to segments or byte arrays, not "
                + buffer.getClass().getSimpleName());
        };
    }

    /**
     * Scratch space for {@code count} elements like those of {@code like}.
     *
     * @param like  the collective's buffer
     * @param count elements (bytes for a segment)
     * @return a new array of the same element type (a byte array for a segment)
     */
    static Object scratch(final Object like, final int count)
    {
        if (like instanceof MemorySegment)
        {
            return new byte[count];
        }
        return Array.newInstance(like.getClass().getComponentType(), count);
    }

    /**
     * The size of one element of a buffer.
     *
     * @param buffer an array or a segment
     * @return bytes per element (1 for a segment, whose counts are bytes)
     */
    static int elementBytes(final Object buffer)
    {
        // instanceof tests rather than a pattern switch: each is one class-pointer comparison once compiled, and
        // this runs several times in every small collective.
        if (buffer instanceof double[])
        {
            return Double.BYTES;
        }
        if (buffer instanceof byte[] || buffer instanceof MemorySegment)
        {
            return 1;
        }
        if (buffer instanceof int[] || buffer instanceof float[])
        {
            return Integer.BYTES;
        }
        if (buffer instanceof long[])
        {
            return Long.BYTES;
        }
        if (buffer instanceof short[] || buffer instanceof char[])
        {
            return Short.BYTES;
        }
        throw new CohortException("not a supported buffer: " + buffer.getClass().getSimpleName());
    }

    /**
     * Where piece {@code index} of {@code pieces} starts when {@code units} units of {@code grain} elements are
     * split as evenly as they go (earlier pieces never larger than later ones by more than one unit).
     *
     * @param units  the units to split
     * @param grain  elements per unit
     * @param pieces how many pieces
     * @param index  the piece, 0 to {@code pieces} (which gives the end)
     * @return the piece's first element
     */
    static int start(final int units, final int grain, final int pieces, final int index)
    {
        return (int) ((long) units * index / pieces) * grain;
    }
}

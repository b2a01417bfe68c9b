package io.cohort.mpi.collective;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * Large copies between shared memory and a rank's buffers through the C library's {@code memcpy}, called as a
 * critical downcall so that Java arrays are passed in place (the GC waits for the few microseconds of the copy).
 * Into and out of a peer's shared-memory slot, glibc's large-copy path measured far faster than
 * {@code MemorySegment.copy} on the 2-core VMs Cohort is tuned on (2 ranks, 2026-12-04, interleaved runs: bcast of
 * 1 MiB 151 -> 35 us and 48 -> 38-41 us, depending on where the VM's cores lay that minute; allreduce of 8 MiB
 * 1,710-1,840 -> 1,030-1,550 us); below 16 KiB the two are even.
 *
 * <p>Native memory is passed as a plain address. A Java array must be passed as a heap segment of exactly the part
 * copied, and the JIT does not remove those segments (they reach the downcall), so the last few are kept, keyed by
 * array, offset and length: a solver that reuses its buffers, as solvers do, allocates nothing per copy.
 *
 * <p>Not thread-safe: one per {@link SharedMemoryCollectives}.
 */
final class NativeCopy
{
    /** Copies of at least this many bytes go through memcpy. */
    static final long MIN_BYTES = 16 * 1024;

    /** Kept heap slices; a power of two. A chunked copy of an 8 MiB array uses 32 per direction. */
    private static final int KEPT = 128;
    private static final int PROBES = 4;

    /** memcpy(native address, native address, bytes). */
    private static final MethodHandle NATIVE = memcpy(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    /** memcpy(heap destination, native source address, bytes). */
    private static final MethodHandle INTO_HEAP = memcpy(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
    /** memcpy(native destination address, heap source, bytes). */
    private static final MethodHandle OUT_OF_HEAP = memcpy(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);

    private final Object[] keptOwner = new Object[KEPT];
    private final long[] keptOffset = new long[KEPT];
    private final long[] keptBytes = new long[KEPT];
    private final MemorySegment[] kept = new MemorySegment[KEPT];

    private static MethodHandle memcpy(final ValueLayout to, final ValueLayout from)
    {
        final Linker linker = Linker.nativeLinker();
        // memcpy is in every C library: without it the JVM itself would not run.
        return linker.downcallHandle(linker.defaultLookup().findOrThrow("memcpy"),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, to, from, ValueLayout.JAVA_LONG),
            Linker.Option.critical(true));
    }

    /**
     * Copies bytes from native memory into a buffer.
     *
     * @param to     a primitive array or a segment
     * @param offset the first element of {@code to} (byte for a segment)
     * @param from   native memory (a shared-memory region)
     * @param at     where in {@code from} the bytes start
     * @param bytes  how many
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    void into(final Object to, final int offset, final MemorySegment from, final long at, final long bytes)
    {
        final long byteOffset = (long) offset * Blocks.elementBytes(to);
        final long source = address(from, at, bytes);
        try
        {
            final long ignored = to instanceof MemorySegment segment && segment.isNative()
                ? (long) NATIVE.invokeExact(address(segment, byteOffset, bytes), source, bytes)
                : (long) INTO_HEAP.invokeExact(heapSlice(to, byteOffset, bytes), source, bytes);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("memcpy of " + bytes + " bytes failed", ex);
        }
    }

    /**
     * Copies bytes from a buffer into native memory.
     *
     * @param to     native memory (a shared-memory region)
     * @param at     where in {@code to} the bytes land
     * @param from   a primitive array or a segment
     * @param offset the first element of {@code from} (byte for a segment)
     * @param bytes  how many
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    void outOf(final MemorySegment to, final long at, final Object from, final int offset, final long bytes)
    {
        final long byteOffset = (long) offset * Blocks.elementBytes(from);
        final long target = address(to, at, bytes);
        try
        {
            final long ignored = from instanceof MemorySegment segment && segment.isNative()
                ? (long) NATIVE.invokeExact(target, address(segment, byteOffset, bytes), bytes)
                : (long) OUT_OF_HEAP.invokeExact(target, heapSlice(from, byteOffset, bytes), bytes);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("memcpy of " + bytes + " bytes failed", ex);
        }
    }

    /**
     * The address of bytes {@code [offset, offset + bytes)} of a native segment, checked to lie inside it: memcpy is
     * handed raw addresses, so the bounds MemorySegment.copy would check are checked here.
     */
    private static long address(final MemorySegment segment, final long offset, final long bytes)
    {
        Objects.checkFromIndexSize(offset, bytes, segment.byteSize());
        return segment.address() + offset;
    }

    /** The heap segment of bytes {@code [offset, offset + bytes)} of an array or heap segment, kept for next time. */
    private MemorySegment heapSlice(final Object owner, final long offset, final long bytes)
    {
        final long mixed = System.identityHashCode(owner) * 0x9E3779B97F4A7C15L + offset * 0xC2B2AE3D27D4EB4FL + bytes;
        final int home = (int) (mixed ^ (mixed >>> 29)) & (KEPT - 1);
        // Up to PROBES places per key, so that two keys with the same home do not evict each other by turns.
        for (int probe = 0; probe < PROBES; probe++)
        {
            final int at = (home + probe) & (KEPT - 1);
            if (keptOwner[at] == owner && keptOffset[at] == offset && keptBytes[at] == bytes)
            {
                return kept[at];
            }
        }
        int at = home;
        for (int probe = 0; probe < PROBES; probe++)
        {
            if (keptOwner[(home + probe) & (KEPT - 1)] == null)
            {
                at = (home + probe) & (KEPT - 1);
                break;
            }
        }
        final MemorySegment whole = switch (owner)
        {
            case byte[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case MemorySegment s -> s;
            default -> throw new IllegalArgumentException("not a buffer: " + owner.getClass().getSimpleName());
        };
        kept[at] = whole.asSlice(offset, bytes);
        keptOwner[at] = owner;
        keptOffset[at] = offset;
        keptBytes[at] = bytes;
        return kept[at];
    }
}

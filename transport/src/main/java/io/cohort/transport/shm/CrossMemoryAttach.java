package io.cohort.transport.shm;

import io.cohort.transport.TransportException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Linux cross-memory attach: {@code process_vm_readv(2)} through the FFM API, so a receiver copies a message
 * straight out of the sender's memory in one copy made by the kernel. One system call per message, so whether it
 * beats two copies through shared memory depends on the size and the machine: Cohort measures it
 * ({@code cohort bench latency -x COHORT_CMA_MIN=...}) rather than assume.
 *
 * <p>The two {@code iovec}s are allocated once: a read allocates nothing. Not thread-safe.
 */
final class CrossMemoryAttach
{
    private static final StructLayout IOVEC = MemoryLayout.structLayout(
        ValueLayout.ADDRESS.withName("iov_base"), ValueLayout.JAVA_LONG.withName("iov_len"));
    private static final VarHandle IOV_BASE = IOVEC.varHandle(MemoryLayout.PathElement.groupElement("iov_base"));
    private static final VarHandle IOV_LEN = IOVEC.varHandle(MemoryLayout.PathElement.groupElement("iov_len"));
    private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURED.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle PROCESS_VM_READV = lookup();

    private final MemorySegment local;
    private final MemorySegment remote;
    private final MemorySegment errno;

    CrossMemoryAttach(final Arena arena)
    {
        local = arena.allocate(IOVEC);
        remote = arena.allocate(IOVEC);
        errno = arena.allocate(CAPTURED);
    }

    private static MethodHandle lookup()
    {
        final Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("process_vm_readv").map(symbol -> linker.downcallHandle(symbol,
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"))).orElse(null);
    }

    /**
     * Whether the C library offers process_vm_readv.
     *
     * @return true on Linux with glibc 2.15 or later
     */
    static boolean available()
    {
        return PROCESS_VM_READV != null;
    }

    /**
     * Copies bytes from another process's memory into a native segment.
     *
     * @param pid     the other process
     * @param address where the bytes are in that process
     * @param dst     a native segment of at least {@code length} bytes
     * @param length  how many bytes
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    void read(final long pid, final long address, final MemorySegment dst, final long length)
    {
        long done = 0;
        while (done < length)
        {
            IOV_BASE.set(local, 0L, MemorySegment.ofAddress(dst.address() + done));
            IOV_LEN.set(local, 0L, length - done);
            IOV_BASE.set(remote, 0L, MemorySegment.ofAddress(address + done));
            IOV_LEN.set(remote, 0L, length - done);
            final long read;
            try
            {
                read = (long) PROCESS_VM_READV.invokeExact(errno, (int) pid, local, 1L, remote, 1L, 0L);
            }
            catch (final Throwable ex)
            {
                throw new TransportException("process_vm_readv could not be called: " + ex, ex);
            }
            if (read <= 0)
            {
                throw new TransportException("process_vm_readv from pid " + pid + " at 0x" + Long.toHexString(address
                    + done) + " (" + (length - done) + " bytes) failed with errno " + (int) ERRNO.get(errno, 0L)
                    + "; cross-memory attach needs the same user and ptrace permission (kernel.yama.ptrace_scope), "
                    + "or set COHORT_CMA_MIN=-1 to turn it off");
            }
            done += read;
        }
    }
}

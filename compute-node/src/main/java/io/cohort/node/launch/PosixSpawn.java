package io.cohort.node.launch;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The C library's {@code posix_spawnp(3)}, {@code waitpid(2)} and {@code kill(2)} through the FFM API.
 *
 * <p>Why not {@link ProcessBuilder}: on Linux the JDK starts every process through a helper,
 * {@code jspawnhelper}, which is itself exec'd and then execs the program, so each process costs two program loads.
 * On the 2-core virtual machines measured, starting {@code /bin/true} that way took 4.1 ms of wall time and about
 * 4.5 ms of CPU; glibc's {@code posix_spawn} (a {@code vfork}-style clone, then one exec) does the same work without
 * the helper. The child gets what the JDK gives it: the listed standard streams, every other descriptor closed, the
 * working directory, the environment; and in addition default signal dispositions and an empty signal mask, so a
 * rank started by an agent that ignores SIGINT still dies of it; and each child leads a process group of its own
 * (as Open MPI's launcher puts each rank in one), so a signal to the group reaches whatever the rank started too.
 *
 * <p>Needs glibc 2.34 or later (for {@code posix_spawn_file_actions_addclosefrom_np}) and
 * {@code --add-exports=java.base/jdk.internal.access=ALL-UNNAMED} (to hand a pipe's descriptor to a
 * {@link java.io.FileInputStream}); {@link #unavailableReason()} says what is missing otherwise.
 */
final class PosixSpawn
{
    private static final int O_CLOEXEC = 0x80000;
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int EINTR = 4;
    /** glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336 (x86-64, aarch64): room to spare. */
    private static final long SPAWN_STRUCT_BYTES = 1024;
    /** sigset_t is 128 bytes, siginfo_t 128. */
    private static final long SIGSET_BYTES = 128;
    private static final long SIGINFO_BYTES = 128;

    private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURED.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final String UNAVAILABLE;
    private static final MethodHandle PIPE2;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FA_INIT;
    private static final MethodHandle FA_DESTROY;
    private static final MethodHandle FA_ADDOPEN;
    private static final MethodHandle FA_ADDDUP2;
    private static final MethodHandle FA_ADDCHDIR;
    private static final MethodHandle FA_ADDCLOSEFROM;
    private static final MethodHandle ATTR_INIT;
    private static final MethodHandle ATTR_DESTROY;
    private static final MethodHandle ATTR_SETFLAGS;
    private static final MethodHandle ATTR_SETSIGMASK;
    private static final MethodHandle ATTR_SETSIGDEFAULT;
    private static final MethodHandle SIGEMPTYSET;
    private static final MethodHandle SIGFILLSET;
    private static final MethodHandle SPAWNP;
    private static final MethodHandle WAITID;
    private static final MethodHandle WAITPID;
    private static final MethodHandle KILL;
    private static final MethodHandle STRERROR;
    private static final Object FD_ACCESS;
    private static final Method FD_SET;

    static
    {
        final ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        final ValueLayout p = ValueLayout.ADDRESS;
        final Linker linker = Linker.nativeLinker();
        final Libc libc = new Libc(linker, linker.defaultLookup());
        PIPE2 = libc.link("pipe2", FunctionDescriptor.of(i, p, i), true);
        CLOSE = libc.link("close", FunctionDescriptor.of(i, i), false);
        FA_INIT = libc.link("posix_spawn_file_actions_init", FunctionDescriptor.of(i, p), false);
        FA_DESTROY = libc.link("posix_spawn_file_actions_destroy", FunctionDescriptor.of(i, p), false);
        FA_ADDOPEN = libc.link("posix_spawn_file_actions_addopen", FunctionDescriptor.of(i, p, i, p, i, i), false);
        FA_ADDDUP2 = libc.link("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(i, p, i, i), false);
        FA_ADDCHDIR = libc.link("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(i, p, p), false);
        FA_ADDCLOSEFROM = libc.link("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(i, p, i),
            false);
        ATTR_INIT = libc.link("posix_spawnattr_init", FunctionDescriptor.of(i, p), false);
        ATTR_DESTROY = libc.link("posix_spawnattr_destroy", FunctionDescriptor.of(i, p), false);
        ATTR_SETFLAGS = libc.link("posix_spawnattr_setflags", FunctionDescriptor.of(i, p, ValueLayout.JAVA_SHORT),
            false);
        ATTR_SETSIGMASK = libc.link("posix_spawnattr_setsigmask", FunctionDescriptor.of(i, p, p), false);
        ATTR_SETSIGDEFAULT = libc.link("posix_spawnattr_setsigdefault", FunctionDescriptor.of(i, p, p), false);
        SIGEMPTYSET = libc.link("sigemptyset", FunctionDescriptor.of(i, p), false);
        SIGFILLSET = libc.link("sigfillset", FunctionDescriptor.of(i, p), false);
        SPAWNP = libc.link("posix_spawnp", FunctionDescriptor.of(i, p, p, p, p, p, p), false);
        WAITID = libc.link("waitid", FunctionDescriptor.of(i, i, i, p, i), true);
        WAITPID = libc.link("waitpid", FunctionDescriptor.of(i, i, p, i), true);
        KILL = libc.link("kill", FunctionDescriptor.of(i, i, i), false);
        STRERROR = libc.link("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(
            MemoryLayout.sequenceLayout(4096, ValueLayout.JAVA_BYTE)), ValueLayout.JAVA_INT), false);
        String missing = libc.missing;
        Object access = null;
        Method set = null;
        if (missing == null)
        {
            try
            {
                // Only the JDK can make a FileDescriptor from a number; the agent's JVM exports the way in.
                final Class<?> secrets = Class.forName("jdk.internal.access.SharedSecrets");
                access = secrets.getMethod("getJavaIOFileDescriptorAccess").invoke(null);
                set = Class.forName("jdk.internal.access.JavaIOFileDescriptorAccess")
                    .getMethod("set", FileDescriptor.class, int.class);
                set.invoke(access, new FileDescriptor(), -1);
            }
            catch (final ReflectiveOperationException | RuntimeException | IllegalAccessError ex)
            {
                missing = "this JVM does not export jdk.internal.access (start it with "
                    + "--add-exports=java.base/jdk.internal.access=ALL-UNNAMED): " + ex;
            }
        }
        UNAVAILABLE = missing;
        FD_ACCESS = access;
        FD_SET = set;
    }

    /** Links C functions, remembering the first one the C library lacks. */
    private static final class Libc
    {
        private final Linker linker;
        private final SymbolLookup lookup;
        private String missing;

        Libc(final Linker linker, final SymbolLookup lookup)
        {
            this.linker = linker;
            this.lookup = lookup;
        }

        MethodHandle link(final String name, final FunctionDescriptor descriptor, final boolean errno)
        {
            final Optional<MemorySegment> symbol = lookup.find(name);
            if (symbol.isEmpty())
            {
                if (missing == null)
                {
                    missing = "the C library has no " + name + " (glibc 2.34 or later has)";
                }
                return null;
            }
            return errno ? linker.downcallHandle(symbol.get(), descriptor, Linker.Option.captureCallState("errno"))
                : linker.downcallHandle(symbol.get(), descriptor);
        }
    }

    private PosixSpawn()
    {
    }

    /**
     * Why posix_spawn cannot be used in this JVM.
     *
     * @return the reason, or null if it can
     */
    static String unavailableReason()
    {
        return UNAVAILABLE;
    }

    /**
     * A started child: its pid and the read ends of its standard output and error.
     *
     * @param pid    the process id
     * @param stdout read end of the child's standard output
     * @param stderr read end of the child's standard error
     */
    record Child(int pid, FileDescriptor stdout, FileDescriptor stderr)
    {
    }

    /**
     * Starts a program with standard input from /dev/null and standard output and error to new pipes.
     *
     * @param command     the program (searched in this process's PATH when it has no slash) and its arguments
     * @param directory   the working directory, or null for this process's
     * @param environment the child's whole environment
     * @return the child
     * @throws IOException if the program cannot be started, with the C library's reason
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    static Child spawn(final List<String> command, final Path directory, final Map<String, String> environment)
        throws IOException
    {
        if (UNAVAILABLE != null)
        {
            throw new IllegalStateException(UNAVAILABLE);
        }
        int outRead = -1;
        int outWrite = -1;
        int errRead = -1;
        int errWrite = -1;
        boolean started = false;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment captured = arena.allocate(CAPTURED);
            final MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            pipe(fds, captured);
            outRead = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            outWrite = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            pipe(fds, captured);
            errRead = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            errWrite = fds.getAtIndex(ValueLayout.JAVA_INT, 1);

            final MemorySegment actions = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            final MemorySegment attributes = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            final MemorySegment signals = arena.allocate(SIGSET_BYTES, 8);
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attributes));
            try
            {
                check("addopen", (int) FA_ADDOPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), 0, 0));
                check("adddup2", (int) FA_ADDDUP2.invokeExact(actions, outWrite, 1));
                check("adddup2", (int) FA_ADDDUP2.invokeExact(actions, errWrite, 2));
                // Every other descriptor of the agent (its sockets, its database, other jobs' pipes) stays here.
                check("addclosefrom_np", (int) FA_ADDCLOSEFROM.invokeExact(actions, 3));
                if (directory != null)
                {
                    check("addchdir_np", (int) FA_ADDCHDIR.invokeExact(actions,
                        arena.allocateFrom(directory.toString())));
                }
                check("sigfillset", (int) SIGFILLSET.invokeExact(signals));
                check("posix_spawnattr_setsigdefault", (int) ATTR_SETSIGDEFAULT.invokeExact(attributes, signals));
                check("sigemptyset", (int) SIGEMPTYSET.invokeExact(signals));
                check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attributes, signals));
                // The attributes' process group is 0 after init: with SETPGROUP the child leads a new group, its pid.
                check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(attributes,
                    (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));

                final MemorySegment argv = strings(arena, command);
                final MemorySegment envp = strings(arena, environment.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
                final MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                final int error = (int) SPAWNP.invokeExact(pid, arena.allocateFrom(command.get(0)), actions,
                    attributes, argv, envp);
                if (error != 0)
                {
                    throw new IOException("Cannot run program \"" + command.get(0) + "\""
                        + (directory == null ? "" : " (in directory \"" + directory + "\")") + ": error=" + error
                        + ", " + describe(error));
                }
                started = true;
                return new Child(pid.get(ValueLayout.JAVA_INT, 0), descriptor(outRead), descriptor(errRead));
            }
            finally
            {
                final int ignoredActions = (int) FA_DESTROY.invokeExact(actions);
                final int ignoredAttributes = (int) ATTR_DESTROY.invokeExact(attributes);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("posix_spawn could not be called: " + ex, ex);
        }
        finally
        {
            // The child holds the write ends now; ours must go, or the readers never see end of file.
            close(outWrite);
            close(errWrite);
            if (!started)
            {
                close(outRead);
                close(errRead);
            }
        }
    }

    /**
     * Waits until a child has ended, without reaping it: its pid stays taken (a zombie) until {@link #reap}, so a
     * signal sent meanwhile cannot reach another process that reused the number.
     *
     * @param pid the child
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    static void awaitExit(final int pid)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment captured = arena.allocate(CAPTURED);
            final MemorySegment info = arena.allocate(SIGINFO_BYTES, 8);
            while (true)
            {
                final int result = (int) WAITID.invokeExact(captured, P_PID, pid, info, WEXITED | WNOWAIT);
                if (result == 0 || (int) ERRNO.get(captured, 0L) != EINTR)
                {
                    return;
                }
            }
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("waitid could not be called: " + ex, ex);
        }
    }

    /**
     * Collects an ended child's status, freeing its pid.
     *
     * @param pid the child
     * @return its exit code, or 128 + the signal that killed it (as {@link Process#exitValue()}), or -1 if the status
     *     was lost (another part of this process reaped the child)
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    static int reap(final int pid)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment captured = arena.allocate(CAPTURED);
            final MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            while (true)
            {
                final int result = (int) WAITPID.invokeExact(captured, pid, status, 0);
                if (result == pid)
                {
                    final int value = status.get(ValueLayout.JAVA_INT, 0);
                    final int signal = value & 0x7f;
                    return signal == 0 ? (value >> 8) & 0xff : 128 + signal;
                }
                if ((int) ERRNO.get(captured, 0L) != EINTR)
                {
                    return -1;
                }
            }
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("waitpid could not be called: " + ex, ex);
        }
    }

    /**
     * Sends a signal.
     *
     * @param pid    a child not yet reaped, or minus one (the process group it leads: it and what it started)
     * @param signal the signal number
     */
    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    static void kill(final int pid, final int signal)
    {
        try
        {
            final int ignored = (int) KILL.invokeExact(pid, signal);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("kill could not be called: " + ex, ex);
        }
    }

    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    private static void pipe(final MemorySegment fds, final MemorySegment captured) throws Throwable
    {
        if ((int) PIPE2.invokeExact(captured, fds, O_CLOEXEC) != 0)
        {
            final int error = (int) ERRNO.get(captured, 0L);
            throw new IOException("cannot make a pipe for a child's output: error=" + error + ", " + describe(error));
        }
    }

    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    private static void close(final int fd)
    {
        if (fd >= 0)
        {
            try
            {
                final int ignored = (int) CLOSE.invokeExact(fd);
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException("close could not be called: " + ex, ex);
            }
        }
    }

    private static void check(final String call, final int error)
    {
        if (error != 0)
        {
            throw new IllegalStateException("posix_spawn set-up failed in " + call + ": error=" + error + ", "
                + describe(error));
        }
    }

    private static MemorySegment strings(final Arena arena, final List<String> values)
    {
        final MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int k = 0; k < values.size(); k++)
        {
            array.setAtIndex(ValueLayout.ADDRESS, k, arena.allocateFrom(values.get(k)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static FileDescriptor descriptor(final int fd)
    {
        final FileDescriptor descriptor = new FileDescriptor();
        try
        {
            FD_SET.invoke(FD_ACCESS, descriptor, fd);
        }
        catch (final IllegalAccessException | InvocationTargetException ex)
        {
            throw new IllegalStateException("cannot wrap descriptor " + fd + ": " + ex, ex);
        }
        return descriptor;
    }

    @SuppressWarnings("checkstyle:IllegalCatch") // MethodHandle.invokeExact declares Throwable
    private static String describe(final int error)
    {
        if (STRERROR == null)
        {
            return "errno " + error;
        }
        try
        {
            return ((MemorySegment) STRERROR.invokeExact(error)).getString(0);
        }
        catch (final Throwable ex)
        {
            return "errno " + error;
        }
    }
}

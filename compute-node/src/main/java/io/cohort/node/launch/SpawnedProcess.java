package io.cohort.node.launch;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child started by {@link PosixSpawn}, as a {@link Process}: its output as streams, its exit as a future
 * completed by a reaper thread (as the JDK's own), signals that never reach a process that reused its pid.
 *
 * <p>The child leads its own process group, and signals go to the whole group: a rank that is a shell script stops
 * with the programs it started. When the child ends, whatever is left in its group is killed before the child is
 * reaped (as Slurm ends every process of a job step), so nothing a rank started outlives its job.
 */
final class SpawnedProcess extends Process
{
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;

    /** Platform threads, since a waiting {@code waitid} holds its thread; small stacks, as the JDK's reapers. */
    private static final ExecutorService REAPERS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon()
        .name("cohort-process-reaper-", 0).stackSize(128 * 1024).factory());

    private final int pid;
    private final InputStream stdout;
    private final InputStream stderr;
    private final CompletableFuture<Process> exit = new CompletableFuture<>();
    /** Guards {@link #reaped}: a signal is sent only while the pid is still this child's. */
    private final Object lock = new Object();
    private boolean reaped;
    private int exitValue;

    SpawnedProcess(final PosixSpawn.Child child)
    {
        this.pid = child.pid();
        this.stdout = new BufferedInputStream(new FileInputStream(child.stdout()));
        this.stderr = new BufferedInputStream(new FileInputStream(child.stderr()));
        REAPERS.execute(this::reap);
    }

    private void reap()
    {
        try
        {
            PosixSpawn.awaitExit(pid);
            // Not reaped yet, so the group's number cannot have been reused: only what the child left behind is hit.
            PosixSpawn.kill(-pid, SIGKILL);
            synchronized (lock)
            {
                exitValue = PosixSpawn.reap(pid);
                reaped = true;
            }
            exit.complete(this);
        }
        catch (final RuntimeException | Error ex)
        {
            exit.completeExceptionally(ex);
            throw ex;
        }
    }

    @Override
    public OutputStream getOutputStream()
    {
        // Standard input is /dev/null, as ProcessBuilder.Redirect.from(/dev/null) gives.
        return new OutputStream()
        {
            @Override
            public void write(final int b) throws IOException
            {
                throw new IOException("the standard input of process " + pid + " is /dev/null");
            }
        };
    }

    @Override
    public InputStream getInputStream()
    {
        return stdout;
    }

    @Override
    public InputStream getErrorStream()
    {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException
    {
        try
        {
            exit.get();
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("the reaper of process " + pid + " failed", ex.getCause());
        }
        return exitValue();
    }

    @Override
    public boolean waitFor(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        try
        {
            exit.get(timeout, unit);
            return true;
        }
        catch (final TimeoutException ex)
        {
            return false;
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("the reaper of process " + pid + " failed", ex.getCause());
        }
    }

    @Override
    public int exitValue()
    {
        synchronized (lock)
        {
            if (!reaped)
            {
                throw new IllegalThreadStateException("process " + pid + " has not exited");
            }
            return exitValue;
        }
    }

    @Override
    public void destroy()
    {
        signal(SIGTERM);
    }

    @Override
    public Process destroyForcibly()
    {
        signal(SIGKILL);
        return this;
    }

    private void signal(final int signal)
    {
        synchronized (lock)
        {
            if (!reaped)
            {
                PosixSpawn.kill(-pid, signal);
                // The child itself too, should it have left its group (setsid).
                PosixSpawn.kill(pid, signal);
            }
        }
    }

    @Override
    public boolean supportsNormalTermination()
    {
        return true;
    }

    @Override
    public boolean isAlive()
    {
        return !exit.isDone();
    }

    @Override
    public long pid()
    {
        return pid;
    }

    @Override
    public CompletableFuture<Process> onExit()
    {
        return exit.copy();
    }

    @Override
    public String toString()
    {
        return "Process[pid=" + pid + ", exitValue=" + (isAlive() ? "\"not exited\"" : exitValue()) + "]";
    }
}

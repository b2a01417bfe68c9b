package io.cohort.mpi;

import io.cohort.wireup.ProgressReport;

import java.util.function.Consumer;

/**
 * Coalesces a rank's progress reports: the caller only stores the latest values (it never waits for the network), and
 * a daemon thread sends the latest one at most once per interval. {@link #close()} sends the last report not yet sent,
 * so the final value always arrives. A sink that fails once is not called again: progress is advice and must never
 * fail or slow the job.
 *
 * <p>Thread-safe.
 */
final class ProgressReporter implements AutoCloseable
{
    private final Consumer<ProgressReport> sink;
    private final long intervalMillis;
    private final Thread sender;
    private long done;
    private long total;
    private String message;
    private boolean pending;
    private boolean closed;
    private boolean broken;
    private long sent;

    /**
     * Starts the sending thread.
     *
     * @param sink           where reports go (a socket write, a line on stderr); may throw to say it is broken
     * @param intervalMillis the least time between two sends
     */
    ProgressReporter(final Consumer<ProgressReport> sink, final long intervalMillis)
    {
        this.sink = sink;
        this.intervalMillis = intervalMillis;
        // A platform thread: a daemon that cannot keep the JVM alive, and whose socket writes interrupts leave alone.
        this.sender = Thread.ofPlatform().daemon().name("cohort-progress").start(this::sendLoop);
    }

    /**
     * Stores a report to send; the latest one wins. Returns at once.
     *
     * @param done    units done
     * @param total   units in all (0: unknown)
     * @param message text or null
     * @throws IllegalArgumentException if the values are not a valid report
     */
    void report(final long done, final long total, final String message)
    {
        ProgressReport.check(done, total, message);
        synchronized (this)
        {
            this.done = done;
            this.total = total;
            this.message = message;
            if (!pending)
            {
                pending = true;
                notifyAll();
            }
        }
    }

    /**
     * How many reports reached the sink so far.
     *
     * @return the count
     */
    synchronized long sent()
    {
        return sent;
    }

    private void sendLoop()
    {
        try
        {
            while (true)
            {
                final ProgressReport next;
                synchronized (this)
                {
                    while (!pending && !closed)
                    {
                        wait();
                    }
                    if (closed)
                    {
                        return;
                    }
                    next = take();
                }
                if (!deliver(next))
                {
                    return;
                }
                synchronized (this)
                {
                    // Sleeps the interval, unless closed meanwhile: close() sends what is left itself.
                    final long until = System.nanoTime() + intervalMillis * 1_000_000L;
                    long left = intervalMillis;
                    while (!closed && left > 0)
                    {
                        wait(left);
                        left = (until - System.nanoTime()) / 1_000_000L;
                    }
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the pending report; the caller holds the lock. */
    private ProgressReport take()
    {
        pending = false;
        return new ProgressReport(done, total, message);
    }

    private boolean deliver(final ProgressReport report)
    {
        synchronized (this)
        {
            if (broken)
            {
                return false;
            }
        }
        try
        {
            sink.accept(report);
            synchronized (this)
            {
                sent++;
            }
            return true;
        }
        catch (final RuntimeException ex)
        {
            synchronized (this)
            {
                broken = true;
            }
            return false;
        }
    }

    /** Stops the thread and sends the last report not yet sent (MPI_Finalize's flush). Idempotent. */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            notifyAll();
        }
        try
        {
            // The sender finishes a send in progress first, so the last report cannot overtake it.
            sender.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final ProgressReport last;
        synchronized (this)
        {
            last = pending ? take() : null;
        }
        if (last != null)
        {
            deliver(last);
        }
    }
}

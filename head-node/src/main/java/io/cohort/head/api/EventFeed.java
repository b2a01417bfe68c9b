package io.cohort.head.api;

import io.cohort.head.service.HeadNode;
import io.cohort.head.store.Event;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One reader of the event log for the whole API: a virtual thread polls the store for events after the last one it
 * saw, publishes the highest sequence number seen, and wakes the event streams waiting for it. Streams then read
 * their own (filtered) events from the store, so a stream keeps no queue of its own and an idle head node costs one
 * query per poll, however many clients listen. The same pass feeds the metrics' counters.
 *
 * <p>Correctness rests on the store's promise that sequence numbers follow commit order: once the feed has read
 * event S, every event up to S is committed, so a stream that queries after seeing {@link #latest()} = S finds every
 * event of its filter up to S.
 *
 * <p>Thread-safe.
 */
final class EventFeed implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.cohort.head.api");
    private static final int PAGE = 1000;

    private final HeadNode head;
    private final Duration poll;
    private final Consumer<Event> observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Condition stopping = lock.newCondition();
    private final Thread reader;
    private volatile long latest;
    private volatile boolean closed;

    /**
     * Starts reading at the current end of the log.
     *
     * @param head     the head node
     * @param poll     how often to look for new events
     * @param observer sees every new event once, in order, on the feed's thread
     */
    EventFeed(final HeadNode head, final Duration poll, final Consumer<Event> observer)
    {
        this.head = head;
        this.poll = poll;
        this.observer = observer;
        this.latest = endOfLog(head);
        this.reader = Thread.ofVirtual().name("cohort-event-feed").start(this::run);
    }

    /**
     * The highest sequence number in the log, found with O(log n) one-row queries (the head node has no accessor
     * for it, and reading the whole history at start would cost time proportional to it). "Some event after x"
     * is true below the end and false from it on, so a doubling search and then a bisection find it.
     */
    static long endOfLog(final HeadNode head)
    {
        long low = 0;
        long high = 1;
        while (!head.events(high, null, 1).isEmpty())
        {
            low = high;
            high = high * 2;
        }
        // Invariant: an event exists after low (or low == 0), none after high.
        while (high - low > 1)
        {
            final long middle = low + (high - low) / 2;
            if (head.events(middle, null, 1).isEmpty())
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }
        return head.events(low, null, 1).isEmpty() ? low : high;
    }

    private void run()
    {
        while (!closed)
        {
            try
            {
                final List<Event> events = head.events(latest, null, PAGE);
                if (!events.isEmpty())
                {
                    events.forEach(observer);
                    publish(events.get(events.size() - 1).seq());
                }
                if (events.size() < PAGE)
                {
                    pause();
                }
            }
            catch (final RuntimeException ex)
            {
                if (closed)
                {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "reading the event log failed; trying again", ex);
                pause();
            }
        }
    }

    /** Sleeps one poll interval, or less if closed. Not an interrupt: H2 closes its file when a reader is one. */
    private void pause()
    {
        lock.lock();
        try
        {
            long nanos = poll.toNanos();
            while (!closed && nanos > 0)
            {
                nanos = stopping.awaitNanos(nanos);
            }
        }
        catch (final InterruptedException ex)
        {
            closed = true;
        }
        finally
        {
            lock.unlock();
        }
    }

    private void publish(final long seq)
    {
        lock.lock();
        try
        {
            latest = seq;
            advanced.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The highest sequence number read so far: every event up to it is committed.
     *
     * @return the sequence number
     */
    long latest()
    {
        return latest;
    }

    /**
     * Waits until the feed has read past a sequence number, the time is up, or the feed closes.
     *
     * @param seen    the caller's last seen {@link #latest()}
     * @param timeout the longest wait
     * @throws InterruptedException if interrupted
     */
    void awaitAfter(final long seen, final Duration timeout) throws InterruptedException
    {
        long nanos = timeout.toNanos();
        lock.lock();
        try
        {
            while (latest <= seen && !closed && nanos > 0)
            {
                nanos = advanced.awaitNanos(nanos);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    boolean closed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        lock.lock();
        try
        {
            closed = true;
            advanced.signalAll();
            stopping.signalAll();
        }
        finally
        {
            lock.unlock();
        }
        try
        {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

package io.cohort.head.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Writes the latest value per key at most once per interval: reports that come faster are coalesced (the latest
 * wins) and written when the interval is up, so a job whose ranks misbehave cannot flood the store or the event log.
 * The first report of a quiet key is written at once. Writes run one at a time, in order, on one daemon thread, never
 * on the reporting thread.
 *
 * <pre>{@code
 * ProgressCoalescer<Progress> log = new ProgressCoalescer<>(250, (job, p) -> store.progress(job, p));
 * log.report(42, progress);
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @param <T> the value type
 */
final class ProgressCoalescer<T> implements AutoCloseable
{
    private final long intervalMillis;
    private final BiConsumer<Long, T> writer;
    private final Map<Long, Slot<T>> slots = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task ->
        Thread.ofPlatform().daemon().name("cohort-head-progress").unstarted(task));

    /** One key's state; read and written inside the map's compute only. */
    private static final class Slot<T>
    {
        T pending;
        boolean scheduled;
        long lastWrite = Long.MIN_VALUE / 2;
    }

    /**
     * A coalescer.
     *
     * @param intervalMillis the least time between two writes of one key
     * @param writer         writes a key's value (its failures are the writer's to report)
     */
    ProgressCoalescer(final long intervalMillis, final BiConsumer<Long, T> writer)
    {
        this.intervalMillis = intervalMillis;
        this.writer = writer;
    }

    /**
     * Takes a value for a key; returns at once.
     *
     * @param key   the key (a job id)
     * @param value the latest value
     */
    void report(final long key, final T value)
    {
        slots.compute(key, (k, found) ->
        {
            final Slot<T> slot = found == null ? new Slot<>() : found;
            slot.pending = value;
            if (!slot.scheduled)
            {
                slot.scheduled = true;
                final long delay = Math.max(0, slot.lastWrite + intervalMillis - nowMillis());
                schedule(() -> flush(k), delay);
            }
            return slot;
        });
    }

    private void flush(final long key)
    {
        final Object[] value = new Object[1];
        slots.computeIfPresent(key, (k, slot) ->
        {
            value[0] = slot.pending;
            slot.pending = null;
            slot.scheduled = false;
            slot.lastWrite = nowMillis();
            return slot;
        });
        @SuppressWarnings("unchecked")
        final T written = (T)value[0];
        if (written != null)
        {
            writer.accept(key, written);
        }
        // A key quiet for a whole interval is forgotten, so finished jobs leave nothing behind.
        schedule(() -> slots.computeIfPresent(key, (k, slot) ->
            !slot.scheduled && nowMillis() - slot.lastWrite >= intervalMillis ? null : slot), intervalMillis);
    }

    private void schedule(final Runnable task, final long delayMillis)
    {
        try
        {
            executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            // Closed: the head node is stopping, and a report arriving now is dropped.
        }
    }

    /**
     * How many keys have state (pending or recent).
     *
     * @return the count
     */
    int tracked()
    {
        return slots.size();
    }

    private static long nowMillis()
    {
        return System.nanoTime() / 1_000_000L;
    }

    /** Writes what is pending now, then stops. */
    @Override
    public void close()
    {
        executor.shutdown();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

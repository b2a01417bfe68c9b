package io.cohort.head.service;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The head node stores at most one progress report per job and interval, and never loses the latest. */
class ProgressCoalescerTest
{
    private static void awaitLast(final List<Integer> written, final int value) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((written.isEmpty() || written.getLast() != value) && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(value, written.getLast(), written.toString());
    }

    @Test
    void floodOfReportsIsWrittenAFewTimesEndingWithTheLatest() throws InterruptedException
    {
        final List<Integer> written = new CopyOnWriteArrayList<>();
        final long start = System.nanoTime();
        try (ProgressCoalescer<Integer> coalescer = new ProgressCoalescer<>(250, (job, value) -> written.add(value)))
        {
            for (int i = 1; i <= 100_000; i++)
            {
                coalescer.report(7, i);
            }
            awaitLast(written, 100_000);
        }
        final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(written.size() <= elapsedMillis / 250 + 2, written.size() + " writes in " + elapsedMillis + " ms");
    }

    @Test
    void eachJobKeepsItsOwnLatestValue() throws InterruptedException
    {
        final Map<Long, Integer> latest = new ConcurrentHashMap<>();
        try (ProgressCoalescer<Integer> coalescer = new ProgressCoalescer<>(50, latest::put))
        {
            for (int i = 1; i <= 1000; i++)
            {
                coalescer.report(1, i);
                coalescer.report(2, -i);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Integer.valueOf(1000).equals(latest.get(1L)) && Integer.valueOf(-1000).equals(latest.get(2L)))
                && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
        }
        assertEquals(Map.of(1L, 1000, 2L, -1000), latest);
    }

    @Test
    void quietJobsAreForgotten() throws InterruptedException
    {
        final List<Integer> written = new CopyOnWriteArrayList<>();
        try (ProgressCoalescer<Integer> coalescer = new ProgressCoalescer<>(20, (job, value) -> written.add(value)))
        {
            coalescer.report(3, 1);
            awaitLast(written, 1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (coalescer.tracked() > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(0, coalescer.tracked());
        }
    }
}

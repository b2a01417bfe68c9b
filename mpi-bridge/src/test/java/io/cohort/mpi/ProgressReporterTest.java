package io.cohort.mpi;

import io.cohort.wireup.ProgressReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rank's progress reports are coalesced: the caller never waits, the latest value wins, the last is flushed. */
class ProgressReporterTest
{
    @Test
    void tightLoopOfReportsIsCoalescedAndTheLastOneArrivesAtClose()
    {
        final List<ProgressReport> sent = new CopyOnWriteArrayList<>();
        final long start = System.nanoTime();
        final ProgressReporter reporter = new ProgressReporter(sent::add, 200);
        for (int i = 1; i <= 1_000_000; i++)
        {
            reporter.report(i, 1_000_000, null);
        }
        reporter.close();
        final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(new ProgressReport(1_000_000, 1_000_000, null), sent.get(sent.size() - 1));
        // One send per interval started, plus the flush at close: never one per call.
        assertTrue(sent.size() <= elapsedMillis / 200 + 2, sent.size() + " sends in " + elapsedMillis + " ms");
    }

    @Test
    void reportsArriveInTheOrderTheyWereMade()
    {
        final List<ProgressReport> sent = new CopyOnWriteArrayList<>();
        final ProgressReporter reporter = new ProgressReporter(sent::add, 1);
        for (int i = 0; i <= 2000; i++)
        {
            reporter.report(i, 2000, "step " + i);
        }
        reporter.close();
        for (int i = 1; i < sent.size(); i++)
        {
            assertTrue(sent.get(i).done() > sent.get(i - 1).done(), sent.toString());
        }
        assertEquals(2000, sent.get(sent.size() - 1).done());
    }

    @Test
    void callerDoesNotWaitForASinkThatHangs() throws InterruptedException
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final ProgressReporter reporter = new ProgressReporter(report ->
        {
            entered.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, 200);
        reporter.report(1, 10, null);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        // The sink is stuck in its first send; reporting goes on regardless.
        for (int i = 2; i <= 10_000; i++)
        {
            reporter.report(i % 10, 10, null);
        }
        release.countDown();
        reporter.close();
    }

    @Test
    void sinkThatFailsOnceIsNotCalledAgain()
    {
        final List<ProgressReport> tried = new CopyOnWriteArrayList<>();
        final ProgressReporter reporter = new ProgressReporter(report ->
        {
            tried.add(report);
            throw new IllegalStateException("launcher gone");
        }, 1);
        reporter.report(1, 3, null);
        while (tried.isEmpty())
        {
            Thread.onSpinWait();
        }
        reporter.report(2, 3, null);
        reporter.close();
        assertEquals(1, tried.size(), tried.toString());
    }

    @Test
    void badValuesAreRefusedNamingThem()
    {
        final ProgressReporter reporter = new ProgressReporter(report -> { }, 200);
        try
        {
            final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> reporter.report(-1, 10, null));
            assertTrue(negative.getMessage().contains("done=-1"), negative.getMessage());
            final IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> reporter.report(11, 10, null));
            assertTrue(over.getMessage().contains("done=11, total=10"), over.getMessage());
            final IllegalArgumentException total = assertThrows(IllegalArgumentException.class,
                () -> reporter.report(0, -5, null));
            assertTrue(total.getMessage().contains("total=-5"), total.getMessage());
        }
        finally
        {
            reporter.close();
        }
    }
}

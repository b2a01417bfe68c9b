package io.cohort.wireup;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress reports: their rules, their line on the exchange, and who the exchange listens to. */
class ProgressReportTest
{
    @Test
    void doneAboveAPositiveTotalIsRefusedNamingBoth()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new ProgressReport(7, 5, null));
        assertTrue(ex.getMessage().contains("done=7, total=5"), ex.getMessage());
    }

    @Test
    void unknownTotalAcceptsAnyDone()
    {
        assertEquals("123 done copying", new ProgressReport(123, 0, "copying").describe());
    }

    @Test
    void negativeTotalIsRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new ProgressReport(0, -1, null));
        assertTrue(ex.getMessage().contains("total=-1"), ex.getMessage());
    }

    @Test
    void overlongMessageIsRefusedWithTheLimit()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new ProgressReport(0, 0, "x".repeat(ProgressReport.MAX_MESSAGE + 1)));
        assertTrue(ex.getMessage().contains("1001") && ex.getMessage().contains("1000"), ex.getMessage());
    }

    @Test
    void describeShowsFractionPercentAndMessage()
    {
        assertEquals("30/100 (30%) step 30", new ProgressReport(30, 100, "step 30").describe());
    }

    @Test
    void lineRoundTripsKeepingANullMessageApartFromAnEmptyOne()
    {
        for (final ProgressReport report : List.of(new ProgressReport(1, 2, null), new ProgressReport(1, 2, ""),
            new ProgressReport(3, 0, "a: b  c")))
        {
            assertEquals(report, ProgressReport.fromLine(report.toLine()));
        }
    }

    @Test
    void lineBreaksInTheMessageBecomeSpaces()
    {
        assertEquals("two lines", ProgressReport.fromLine(new ProgressReport(1, 1, "two\nlines").toLine())
            .message());
    }

    @Test
    void exchangeHearsRankZeroAndDropsTheOtherRanks()
    {
        final List<ProgressReport> heard = new CopyOnWriteArrayList<>();
        try (WireUpServer server = new WireUpServer(2, "secret", InetAddress.getLoopbackAddress()))
        {
            server.onProgress(heard::add);
            try (WireUpClient zero = new WireUpClient(server.hostPort(), "secret", 0);
                WireUpClient one = new WireUpClient(server.hostPort(), "secret", 1))
            {
                one.progress(new ProgressReport(9, 10, "from one"));
                zero.progress(new ProgressReport(1, 10, "from zero"));
                // A fence round trip after the reports: each connection is read in order, so both are handled.
                final Thread other = Thread.ofVirtual().start(one::fence);
                zero.fence();
                other.join();
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError(ex);
            }
        }
        assertEquals(List.of(new ProgressReport(1, 10, "from zero")), heard);
    }
}

package io.cohort.head.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock the test moves. */
public final class TestClock implements InstantSource
{
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public synchronized Instant instant()
    {
        return now;
    }

    /**
     * Moves time on.
     *
     * @param step how far
     */
    public synchronized void advance(final Duration step)
    {
        now = now.plus(step);
    }
}

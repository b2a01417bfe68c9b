package io.cohort.head.job;

import java.time.Instant;

/**
 * The latest progress a job's rank 0 reported ({@code cohort.progress(done, total, message)}).
 * <pre>{@code
 * Progress p = new Progress(30, 100, "step 30", Instant.now());
 * }</pre>
 *
 * @param done    units done, &ge; 0 and at most total when total &gt; 0
 * @param total   units in all, 0 when not known
 * @param message a line for people, or null
 * @param at      when the head node received it
 */
public record Progress(long done, long total, String message, Instant at)
{
    /** The longest message kept, in characters (the rank refuses longer ones). */
    public static final int MAX_MESSAGE = 1000;

    /** Checks the values: a report that breaks the rules is refused, never stored. */
    public Progress
    {
        if (done < 0 || total < 0 || total > 0 && done > total)
        {
            throw new IllegalArgumentException("progress done=" + done + " total=" + total + ": need 0 <= done and "
                + "0 <= total, and done <= total when total > 0");
        }
        if (message != null && message.length() > MAX_MESSAGE)
        {
            throw new IllegalArgumentException("progress message of " + message.length() + " characters: at most "
                + MAX_MESSAGE);
        }
    }
}

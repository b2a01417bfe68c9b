package io.cohort.wireup;

/**
 * One progress report of a job, as its rank 0 made it: {@code done} units of work out of {@code total}, with an
 * optional message for people. A total of 0 means the total is not known (only {@code done} counts up).
 * <pre>{@code
 * ProgressReport report = new ProgressReport(30, 100, "step 30");
 * report.describe();   // "30/100 (30%) step 30"
 * }</pre>
 *
 * @param done    units done, &ge; 0 and &le; total when total &gt; 0
 * @param total   units in all, &ge; 0 (0: unknown)
 * @param message a short text for people (one line, at most {@link #MAX_MESSAGE} characters), or null
 */
public record ProgressReport(long done, long total, String message)
{
    /** The longest message accepted, in characters. */
    public static final int MAX_MESSAGE = 1000;

    /** Checks the values (see {@link #check}). */
    public ProgressReport
    {
        check(done, total, message);
    }

    /**
     * Checks a report's values without making one.
     *
     * @param done    units done
     * @param total   units in all, 0 when unknown
     * @param message text or null
     * @throws IllegalArgumentException naming the value at fault and the rule
     */
    public static void check(final long done, final long total, final String message)
    {
        if (done < 0)
        {
            throw new IllegalArgumentException("progress(done=" + done + ", total=" + total
                + "): done must be >= 0");
        }
        if (total < 0)
        {
            throw new IllegalArgumentException("progress(done=" + done + ", total=" + total
                + "): total must be >= 0 (0 when the total is not known)");
        }
        if (total > 0 && done > total)
        {
            throw new IllegalArgumentException("progress(done=" + done + ", total=" + total
                + "): done must not exceed total");
        }
        if (message != null && message.length() > MAX_MESSAGE)
        {
            throw new IllegalArgumentException("progress message of " + message.length()
                + " characters: at most " + MAX_MESSAGE + " are allowed");
        }
    }

    /**
     * The report for people: {@code 30/100 (30%) step 30}, or {@code 30 done step 30} when the total is unknown.
     *
     * @return one line
     */
    public String describe()
    {
        final String amount = total > 0 ? done + "/" + total + " (" + percent() + "%)" : done + " done";
        return message == null || message.isEmpty() ? amount : amount + " " + message;
    }

    /**
     * The share done, rounded down.
     *
     * @return 0..100, or 0 when the total is unknown
     */
    public int percent()
    {
        return total > 0 ? (int)(done * 100.0 / total) : 0;
    }

    /**
     * The line a rank sends to its job's exchange ({@code PROGRESS done total [:message]}); line breaks in the
     * message become spaces.
     *
     * @return the line, without its line end
     */
    String toLine()
    {
        return WireUpProtocol.PROGRESS + " " + done + " " + total
            + (message == null ? "" : " :" + message.replace('\r', ' ').replace('\n', ' '));
    }

    /**
     * Reads a line made by {@link #toLine()}.
     *
     * @param line the line
     * @return the report
     * @throws IllegalArgumentException if the line is not a valid report
     */
    static ProgressReport fromLine(final String line)
    {
        final String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].equals(WireUpProtocol.PROGRESS)
            || parts.length == 4 && !parts[3].startsWith(":"))
        {
            throw new IllegalArgumentException("not a progress line: " + line);
        }
        try
        {
            return new ProgressReport(Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                parts.length == 4 ? parts[3].substring(1) : null);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a progress line: " + line, ex);
        }
    }
}

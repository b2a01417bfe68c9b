package io.cohort.head.job;

/**
 * A job spec (or another request) that cannot be accepted: names the field and says what is wrong and how to fix it.
 *
 * <pre>{@code
 * throw new SpecException("ranks", "must be at least 1, got 0");
 * }</pre>
 */
public final class SpecException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * A problem with one field.
     *
     * @param field   the field's path, e.g. {@code retry.maxAttempts}
     * @param problem what is wrong and what to do instead
     */
    public SpecException(final String field, final String problem)
    {
        super(field + ": " + problem);
        this.field = field;
    }

    /**
     * The offending field.
     *
     * @return its path in the request
     */
    public String field()
    {
        return field;
    }
}

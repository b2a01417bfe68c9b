package io.cohort.head.api;

/**
 * A request answered with an error status: the body says what is wrong, and names the field when one is to blame.
 *
 * <pre>{@code
 * throw new ApiException(400, "limit", "must be 1 to 1000, got 0");
 * }</pre>
 */
public final class ApiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;

    /**
     * An error answer.
     *
     * @param status  the HTTP status
     * @param field   the offending field or parameter, or null
     * @param message what is wrong and what to do
     */
    public ApiException(final int status, final String field, final String message)
    {
        super(message);
        this.status = status;
        this.field = field;
    }

    /**
     * The HTTP status.
     *
     * @return e.g. 400
     */
    public int status()
    {
        return status;
    }

    /**
     * The field to blame.
     *
     * @return its name, or null
     */
    public String field()
    {
        return field;
    }
}

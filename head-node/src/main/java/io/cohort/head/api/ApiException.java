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
    private final String allow;

    /**
     * An error answer.
     *
     * @param status  the HTTP status
     * @param field   the offending field or parameter, or null
     * @param message what is wrong and what to do
     */
    public ApiException(final int status, final String field, final String message)
    {
        this(status, field, message, null);
    }

    private ApiException(final int status, final String field, final String message, final String allow)
    {
        super(message);
        this.status = status;
        this.field = field;
        this.allow = allow;
    }

    /**
     * A 405 answer, which names the methods the resource takes (also in its Allow header, as RFC 9110 asks).
     *
     * @param method the method asked for
     * @param allow  the methods allowed, e.g. "GET, POST"
     * @param hint   what each does, or null
     * @return the error
     */
    public static ApiException methodNotAllowed(final String method, final String allow, final String hint)
    {
        return new ApiException(405, null, "method " + method + " is not allowed here; use " + allow
            + (hint == null ? "" : " (" + hint + ")"), allow);
    }

    /**
     * The methods the resource takes, for a 405's Allow header.
     *
     * @return e.g. "GET, POST", or null when the error is not a 405
     */
    public String allow()
    {
        return allow;
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

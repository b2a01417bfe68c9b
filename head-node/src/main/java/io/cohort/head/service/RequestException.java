package io.cohort.head.service;

/**
 * A request the head node refuses for a reason other than a malformed spec: no such job or node, not allowed, or
 * not possible in the job's current state. The message says which and what to do.
 *
 * <pre>{@code
 * throw new RequestException(RequestException.Kind.CONFLICT, "job 5 is COMPLETED; only a PENDING job can be held");
 * }</pre>
 */
public final class RequestException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final Kind kind;

    /** Why a request was refused (the API maps these to 404, 403 and 409). */
    public enum Kind
    {
        /** No such job, node or token (or not visible to the caller). */
        NOT_FOUND,
        /** The caller's role does not allow it. */
        FORBIDDEN,
        /** The job or node is in a state where this makes no sense. */
        CONFLICT
    }

    /**
     * A refusal.
     *
     * @param kind    why
     * @param message what and what to do
     */
    public RequestException(final Kind kind, final String message)
    {
        super(message);
        this.kind = kind;
    }

    /**
     * Why.
     *
     * @return the kind of refusal
     */
    public Kind kind()
    {
        return kind;
    }
}

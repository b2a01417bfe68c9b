package io.cohort.node.launch;

/** A job could not be launched: bad input (named, with the fix) or a failure to start processes. */
public class LaunchException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An error naming the problem.
     *
     * @param message what is wrong, with the offending value and the fix
     */
    public LaunchException(final String message)
    {
        super(message);
    }

    /**
     * An error caused by another.
     *
     * @param message what is wrong
     * @param cause   the underlying error
     */
    public LaunchException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}

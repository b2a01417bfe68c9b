package io.cohort.head.auth;

/** A request without a valid token (missing, malformed, unknown or revoked): the message says which. */
public final class AuthException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * A refused token.
     *
     * @param message what is wrong and what to do
     */
    public AuthException(final String message)
    {
        super(message);
    }
}

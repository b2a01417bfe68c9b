package io.cohort.head.auth;

/**
 * Who makes a request, as established from its bearer token.
 *
 * @param user    the user the token acts as (owner of the jobs it submits)
 * @param role    what it may do
 * @param tokenId the token's public id
 */
public record Caller(String user, Role role, String tokenId)
{
    /**
     * Whether this caller may act on a job.
     *
     * @param owner the job's owner
     * @return true for the owner and for admins
     */
    public boolean mayActOn(final String owner)
    {
        return role == Role.ADMIN || user.equals(owner);
    }
}

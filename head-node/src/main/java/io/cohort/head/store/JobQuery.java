package io.cohort.head.store;

import java.util.Set;

/**
 * A filter and page over jobs, in id order (or newest first).
 *
 * <pre>{@code
 * new JobQuery(Set.of("PENDING", "RUNNING"), "alice", null, 0, 100); // alice's live jobs, first page
 * }</pre>
 *
 * @param states  state names to include; empty: all
 * @param owner   only this user's jobs, or null for all
 * @param name    only jobs with this name, or null
 * @param afterId the last id of the previous page (0 for the first)
 * @param limit   the most jobs to return
 * @param newest  newest first (descending ids; {@code afterId} is then the last, i.e. lowest, id of the previous
 *                page)
 */
public record JobQuery(Set<String> states, String owner, String name, long afterId, int limit, boolean newest)
{
    /**
     * Copies the states.
     *
     * @param states  states
     * @param owner   owner or null
     * @param name    name or null
     * @param afterId cursor
     * @param limit   page size
     * @param newest  newest first
     */
    public JobQuery
    {
        states = Set.copyOf(states);
    }

    /**
     * A query in id order.
     *
     * @param states  states
     * @param owner   owner or null
     * @param name    name or null
     * @param afterId cursor
     * @param limit   page size
     */
    public JobQuery(final Set<String> states, final String owner, final String name, final long afterId,
        final int limit)
    {
        this(states, owner, name, afterId, limit, false);
    }
}

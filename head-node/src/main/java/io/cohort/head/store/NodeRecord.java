package io.cohort.head.store;

import java.time.Instant;
import java.util.List;

/**
 * What the store keeps of a node across restarts: its capacity as last reported and whether an operator drained it.
 *
 * @param name        the node's name
 * @param drained     whether it takes no new work
 * @param slots       ranks it may run at once
 * @param cores       processor cores
 * @param memoryBytes memory
 * @param transports  transport providers it offers (e.g. shm, tcp)
 * @param address     where its agent listens, or null
 * @param joinedAt    when it first joined
 */
public record NodeRecord(String name, boolean drained, int slots, int cores, long memoryBytes,
    List<String> transports, String address, Instant joinedAt)
{
    /**
     * Copies the transports.
     *
     * @param name        name
     * @param drained     drained
     * @param slots       slots
     * @param cores       cores
     * @param memoryBytes memory
     * @param transports  transports
     * @param address     address or null
     * @param joinedAt    join time
     */
    public NodeRecord
    {
        transports = List.copyOf(transports);
    }
}

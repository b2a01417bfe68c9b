package io.cohort.head.node;

import java.util.List;

/**
 * What a node offers, as its agent reports when it joins.
 *
 * <pre>{@code
 * new NodeCapacity(8, 8, 32L << 30, List.of("shm", "tcp")); // 8 rank slots, 8 cores, 32 GiB
 * }</pre>
 *
 * @param slots       ranks it may run at once (by default its cores)
 * @param cores       processor cores
 * @param memoryBytes memory
 * @param transports  transport providers its ranks can use
 */
public record NodeCapacity(int slots, int cores, long memoryBytes, List<String> transports)
{
    /**
     * Checks the numbers and copies the transports.
     *
     * @param slots       slots
     * @param cores       cores
     * @param memoryBytes memory
     * @param transports  transports
     */
    public NodeCapacity
    {
        if (slots < 0 || cores < 0 || memoryBytes < 0)
        {
            throw new IllegalArgumentException("capacity slots=" + slots + " cores=" + cores + " memory="
                + memoryBytes);
        }
        transports = List.copyOf(transports);
    }
}

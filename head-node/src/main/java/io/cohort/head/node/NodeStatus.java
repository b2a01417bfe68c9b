package io.cohort.head.node;

import java.time.Instant;

/**
 * A node as the registry knows it, for the API and the CLI.
 *
 * @param name     the node's name
 * @param state    UP, DRAINING or DOWN
 * @param capacity what it offers
 * @param address  where its agent listens, or null
 * @param lastSeen its last heartbeat in this head node's life, or null if not heard from since the head started
 * @param drained  whether an operator drained it (it stays drained across restarts and outages)
 */
public record NodeStatus(String name, NodeState state, NodeCapacity capacity, String address, Instant lastSeen,
    boolean drained)
{
}

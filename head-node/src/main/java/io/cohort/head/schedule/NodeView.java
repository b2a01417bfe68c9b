package io.cohort.head.schedule;

import io.cohort.head.node.NodeState;

/**
 * A node as one scheduling pass sees it.
 *
 * @param name  the node's name
 * @param state only {@link NodeState#UP} nodes are chosen
 * @param slots how many ranks it may run at once
 */
public record NodeView(String name, NodeState state, int slots)
{
}

package io.cohort.head.node;

/** A compute node as the scheduler sees it. Only UP nodes receive new ranks. */
public enum NodeState
{
    /** Heartbeating and taking new work. */
    UP,
    /** Runs what it has, takes nothing new (an operator's {@code cohort node drain}). */
    DRAINING,
    /** Missed its heartbeats or lost its link: its ranks are counted lost. */
    DOWN
}

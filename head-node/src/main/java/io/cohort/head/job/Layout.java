package io.cohort.head.job;

/**
 * How a job's ranks spread over nodes.
 *
 * <pre>{@code
 * Layout.packed();        // as few nodes as the free slots allow
 * Layout.ranksPerNode(4); // exactly 4 ranks on each node used (ranks must be a multiple of 4)
 * Layout.nodes(2);        // spread evenly over exactly 2 nodes
 * }</pre>
 *
 * @param kind  the rule
 * @param count ranks per node or nodes, by the rule; 0 for {@link Kind#PACKED}
 */
public record Layout(Kind kind, int count)
{
    /** The placement rules. */
    public enum Kind
    {
        /** Fill free slots on as few nodes as possible. */
        PACKED,
        /** The same number of ranks on each node used. */
        RANKS_PER_NODE,
        /** A fixed number of distinct nodes, ranks spread evenly. */
        NODES
    }

    /**
     * Checks the count against the rule.
     *
     * @param kind  the rule
     * @param count the rule's count
     */
    public Layout
    {
        if (kind == Kind.PACKED ? count != 0 : count < 1)
        {
            throw new IllegalArgumentException("layout " + kind + " with count " + count);
        }
    }

    /**
     * The default layout.
     *
     * @return ranks packed onto as few nodes as possible
     */
    public static Layout packed()
    {
        return new Layout(Kind.PACKED, 0);
    }

    /**
     * A fixed number of ranks per node.
     *
     * @param perNode ranks on each node
     * @return the layout
     */
    public static Layout ranksPerNode(final int perNode)
    {
        return new Layout(Kind.RANKS_PER_NODE, perNode);
    }

    /**
     * A fixed number of nodes.
     *
     * @param nodes distinct nodes to use
     * @return the layout
     */
    public static Layout nodes(final int nodes)
    {
        return new Layout(Kind.NODES, nodes);
    }
}

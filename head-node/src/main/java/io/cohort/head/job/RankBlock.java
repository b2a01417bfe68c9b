package io.cohort.head.job;

/**
 * Consecutive ranks of one attempt placed on one node: a placement is a list of these.
 *
 * <pre>{@code
 * List.of(new RankBlock("n1", 0, 4), new RankBlock("n2", 4, 4)); // ranks 0-3 on n1, 4-7 on n2
 * }</pre>
 *
 * @param node      the node's name
 * @param firstRank the lowest rank on it
 * @param count     how many ranks
 */
public record RankBlock(String node, int firstRank, int count)
{
    /**
     * Checks the numbers.
     *
     * @param node      node name
     * @param firstRank first rank
     * @param count     rank count
     */
    public RankBlock
    {
        if (firstRank < 0 || count < 1)
        {
            throw new IllegalArgumentException("rank block " + node + " " + firstRank + "+" + count);
        }
    }

    /**
     * Whether a rank is in this block.
     *
     * @param rank a rank of the job
     * @return true if it runs on this block's node
     */
    public boolean contains(final int rank)
    {
        return rank >= firstRank && rank < firstRank + count;
    }
}

package io.cohort.head.schedule;

import io.cohort.head.job.Layout;
import io.cohort.head.job.RankBlock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Places every rank of a job on free slots, or none (gang placement). Deterministic: the same free slots give the
 * same placement.
 *
 * <ul>
 *   <li>packed: on one node if one can hold the whole job (the fullest such node, to keep large holes whole),
 *       otherwise on the nodes with the most free slots first, so the job spans as few nodes as possible;</li>
 *   <li>ranks per node k: ranks/k nodes with at least k free slots, the fullest first (best fit);</li>
 *   <li>nodes m: the m nodes with the most free slots, ranks spread evenly (the first ranks % m nodes get one
 *       more).</li>
 * </ul>
 */
public final class Placer
{
    private static final Comparator<Map.Entry<String, Integer>> MOST_FREE =
        Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
            .thenComparing(Map.Entry::getKey);
    private static final Comparator<Map.Entry<String, Integer>> LEAST_FREE =
        Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey);

    private Placer()
    {
    }

    /**
     * Places a job's ranks.
     *
     * @param ranks  how many ranks
     * @param layout how they spread
     * @param free   free slots by node name (only nodes that may be chosen)
     * @return the blocks covering ranks 0..ranks-1, or null if the job does not fit whole
     */
    public static List<RankBlock> place(final int ranks, final Layout layout, final Map<String, Integer> free)
    {
        final List<Map.Entry<String, Integer>> nodes = new ArrayList<>();
        for (final Map.Entry<String, Integer> entry : free.entrySet())
        {
            if (entry.getValue() > 0)
            {
                nodes.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        return switch (layout.kind())
        {
            case PACKED -> packed(ranks, nodes);
            case RANKS_PER_NODE -> perNode(ranks, layout.count(), nodes);
            case NODES -> spread(ranks, layout.count(), nodes);
        };
    }

    private static List<RankBlock> packed(final int ranks, final List<Map.Entry<String, Integer>> nodes)
    {
        nodes.sort(LEAST_FREE);
        for (final Map.Entry<String, Integer> node : nodes)
        {
            if (node.getValue() >= ranks)
            {
                return List.of(new RankBlock(node.getKey(), 0, ranks));
            }
        }
        nodes.sort(MOST_FREE);
        final List<RankBlock> blocks = new ArrayList<>();
        int next = 0;
        for (final Map.Entry<String, Integer> node : nodes)
        {
            if (next == ranks)
            {
                break;
            }
            final int take = Math.min(node.getValue(), ranks - next);
            blocks.add(new RankBlock(node.getKey(), next, take));
            next += take;
        }
        return next == ranks ? blocks : null;
    }

    private static List<RankBlock> perNode(final int ranks, final int perNode,
        final List<Map.Entry<String, Integer>> nodes)
    {
        final int needed = ranks / perNode;
        nodes.removeIf(node -> node.getValue() < perNode);
        if (nodes.size() < needed)
        {
            return null;
        }
        nodes.sort(LEAST_FREE);
        final List<Map.Entry<String, Integer>> chosen = new ArrayList<>(nodes.subList(0, needed));
        chosen.sort(Map.Entry.comparingByKey());
        final List<RankBlock> blocks = new ArrayList<>(needed);
        for (int i = 0; i < needed; i++)
        {
            blocks.add(new RankBlock(chosen.get(i).getKey(), i * perNode, perNode));
        }
        return blocks;
    }

    private static List<RankBlock> spread(final int ranks, final int count,
        final List<Map.Entry<String, Integer>> nodes)
    {
        if (nodes.size() < count)
        {
            return null;
        }
        nodes.sort(MOST_FREE);
        final List<RankBlock> blocks = new ArrayList<>(count);
        int next = 0;
        for (int i = 0; i < count; i++)
        {
            // Larger shares go to the nodes with the most free slots: if these do not fit, no choice of nodes does.
            final int share = ranks / count + (i < ranks % count ? 1 : 0);
            if (nodes.get(i).getValue() < share)
            {
                return null;
            }
            blocks.add(new RankBlock(nodes.get(i).getKey(), next, share));
            next += share;
        }
        return blocks;
    }
}

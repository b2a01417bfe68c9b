package io.cohort.node.cluster;

import io.cohort.node.launch.LaunchException;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides which host runs which rank, before anything starts, so that a job that cannot fit fails at once with
 * the numbers that do not add up.
 */
public final class RankPlacement
{
    private RankPlacement()
    {
    }

    /**
     * Places ranks on hosts.
     *
     * @param ranks     ranks in the job
     * @param slots     each host's slots, in host-list order
     * @param names     each host's name, for messages
     * @param mapBy     slot (fill hosts in turn) or node (round robin)
     * @param perNode   ranks per host ({@code --npernode}), or 0 for no limit
     * @return for each host, its ranks in increasing order (possibly none)
     * @throws LaunchException if the ranks do not fit
     */
    public static List<List<Integer>> place(final int ranks, final int[] slots, final List<String> names,
        final MapBy mapBy, final int perNode)
    {
        final int hosts = slots.length;
        final int[] capacity = new int[hosts];
        long total = 0;
        for (int h = 0; h < hosts; h++)
        {
            capacity[h] = perNode > 0 ? Math.min(perNode, slots[h]) : slots[h];
            if (perNode > slots[h])
            {
                throw new LaunchException("--npernode " + perNode + " exceeds the " + slots[h] + " slots of host "
                    + names.get(h));
            }
            total += capacity[h];
        }
        if (ranks > total)
        {
            throw new LaunchException("-n " + ranks + " needs more slots than the hosts have: " + total
                + (perNode > 0 ? " with --npernode " + perNode : "") + " (" + describe(slots, names)
                + "); add hosts or slots, or lower -n");
        }
        final List<List<Integer>> placed = new ArrayList<>();
        for (int h = 0; h < hosts; h++)
        {
            placed.add(new ArrayList<>());
        }
        if (mapBy == MapBy.SLOT)
        {
            int host = 0;
            for (int rank = 0; rank < ranks; rank++)
            {
                while (placed.get(host).size() == capacity[host])
                {
                    host++;
                }
                placed.get(host).add(rank);
            }
        }
        else
        {
            int host = 0;
            for (int rank = 0; rank < ranks; rank++)
            {
                while (placed.get(host).size() == capacity[host])
                {
                    host = (host + 1) % hosts;
                }
                placed.get(host).add(rank);
                host = (host + 1) % hosts;
            }
        }
        return placed;
    }

    private static String describe(final int[] slots, final List<String> names)
    {
        final StringBuilder text = new StringBuilder();
        for (int h = 0; h < slots.length; h++)
        {
            text.append(h == 0 ? "" : ", ").append(names.get(h)).append(':').append(slots[h]);
        }
        return text.toString();
    }
}

package io.cohort.mpi;

import io.cohort.transport.Transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which transports a rank sets up, from {@code cohort run --transport} (COHORT_TRANSPORT) and the number of hosts
 * the job spans (COHORT_JOB_HOSTS, set by the launcher): shared memory reaches peers on this host, TCP the others.
 *
 * @param mode     auto, shm or tcp
 * @param jobHosts hosts the job spans
 */
record TransportChoice(String mode, int jobHosts)
{
    static TransportChoice fromEnvironment(final Map<String, String> env)
    {
        final String mode = env.getOrDefault("COHORT_TRANSPORT", "auto").trim();
        if (!List.of("auto", "shm", "tcp").contains(mode))
        {
            throw new CohortException("COHORT_TRANSPORT (--transport) is '" + mode + "'; use auto, shm or tcp");
        }
        final String hosts = env.getOrDefault("COHORT_JOB_HOSTS", "1").trim();
        final int jobHosts;
        try
        {
            jobHosts = Integer.parseInt(hosts);
        }
        catch (final NumberFormatException ex)
        {
            throw new CohortException("COHORT_JOB_HOSTS is '" + hosts + "', not a number of hosts", ex);
        }
        if (jobHosts < 1)
        {
            throw new CohortException("COHORT_JOB_HOSTS is " + jobHosts + "; a job spans at least 1 host");
        }
        return new TransportChoice(mode, jobHosts);
    }

    boolean usesSharedMemory()
    {
        return !"tcp".equals(mode);
    }

    boolean usesTcp()
    {
        return "tcp".equals(mode) || "auto".equals(mode) && jobHosts > 1;
    }

    /** Why no transport reaches a peer, with the fix. */
    String unreachable(final int rank, final int peer)
    {
        if ("shm".equals(mode))
        {
            return "rank " + rank + " cannot reach rank " + peer + " through shared memory (--transport shm): it "
                + "runs on another host; use --transport auto or tcp";
        }
        return "rank " + rank + " has no transport that reaches rank " + peer + ": it runs on another host and "
            + "no TCP address of it was published (COHORT_JOB_HOSTS=" + jobHosts + "; launch multi-host jobs with "
            + "cohort run --hosts)";
    }

    /** One line saying which transport reaches which peers: the rank's part of --report-bindings. */
    static String describe(final int rank, final Transport[] byPeer, final String nodeName)
    {
        final Map<String, List<Integer>> peers = new LinkedHashMap<>();
        for (int peer = 0; peer < byPeer.length; peer++)
        {
            if (byPeer[peer] != null)
            {
                peers.computeIfAbsent(byPeer[peer].describe(), k -> new ArrayList<>()).add(peer);
            }
        }
        final StringBuilder line = new StringBuilder("cohort: rank ").append(rank).append(" on ")
            .append(nodeName != null ? nodeName : hostName())
            .append(" (pid ").append(ProcessHandle.current().pid()).append(")");
        if (peers.isEmpty())
        {
            line.append(": no peers");
        }
        peers.forEach((name, ranks) -> line.append(", ").append(name).append(" to ").append(ranges(ranks)));
        return line.toString();
    }

    private static String hostName()
    {
        try
        {
            return java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final java.net.UnknownHostException ex)
        {
            return "unknown host";
        }
    }

    private static String ranges(final List<Integer> ranks)
    {
        final StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < ranks.size())
        {
            int j = i;
            while (j + 1 < ranks.size() && ranks.get(j + 1) == ranks.get(j) + 1)
            {
                j++;
            }
            text.append(text.isEmpty() ? "" : ",").append(ranks.get(i));
            if (j > i)
            {
                text.append('-').append(ranks.get(j));
            }
            i = j + 1;
        }
        return text.toString();
    }
}

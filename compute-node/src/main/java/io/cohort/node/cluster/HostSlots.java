package io.cohort.node.cluster;

/**
 * One host of a host list: where its agent listens and how many ranks it may take.
 *
 * @param host  the host's name or address
 * @param port  its agent's port
 * @param slots the slots given in the host list, or 0 to use what the agent reports
 */
public record HostSlots(String host, int port, int slots)
{
    /**
     * The host as users wrote it, for messages.
     *
     * @return host:port
     */
    public String where()
    {
        return host + ":" + port;
    }
}

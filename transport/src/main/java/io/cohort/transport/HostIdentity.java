package io.cohort.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names the machine a rank runs on, as far as shared memory is concerned: the kernel's boot id and the network
 * namespace. Ranks with equal identities can share memory; ranks in different network namespaces are treated as
 * different hosts even on one machine, so a cluster of namespaces behaves like a real cluster.
 */
public final class HostIdentity
{
    private HostIdentity()
    {
    }

    /**
     * This process's host identity.
     *
     * @return a string equal for every process of one host and network namespace
     */
    public static String current()
    {
        String boot;
        try
        {
            boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        }
        catch (final IOException ex)
        {
            boot = "boot-unknown";
        }
        String netns;
        try
        {
            netns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            netns = "net-unknown";
        }
        return boot + "/" + netns.replace(' ', '_');
    }
}

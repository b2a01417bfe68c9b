package io.cohort.node.agent;

import io.cohort.node.protocol.ClusterSecret;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How an agent runs.
 *
 * @param listen       the address and port to take orders on
 * @param slots        how many ranks it runs at once, at least 1
 * @param name         its name in messages and reports
 * @param secret       the cluster secret launchers must prove they hold
 * @param workRoot     where per-job working directories are made
 * @param silenceLimit how long a launcher may stay silent before its job is stopped
 */
public record AgentConfig(InetSocketAddress listen, int slots, String name, ClusterSecret secret, Path workRoot,
    Duration silenceLimit)
{
    /** Checks the values. */
    public AgentConfig
    {
        if (slots < 1)
        {
            throw new IllegalArgumentException("--slots must be at least 1 (got " + slots + ")");
        }
        if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace))
        {
            throw new IllegalArgumentException("--name must be a non-empty word (got '" + name + "')");
        }
    }
}

package io.cohort.node.protocol;

import java.time.Duration;

/** Constants both ends of the agent protocol must agree on. */
public final class AgentProtocol
{
    /** The version spoken here; a launcher and an agent of different versions refuse each other. */
    public static final int VERSION = 2;

    /** The TCP port an agent listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 7470;

    /** How often each side sends a {@link AgentMessage.Ping}. */
    public static final Duration PING_INTERVAL = Duration.ofSeconds(1);

    /** Silence longer than this means the other side is lost (killed, or the link is cut). */
    public static final Duration DEFAULT_SILENCE_LIMIT = Duration.ofSeconds(5);

    /** The largest message accepted: staged programs travel inside a Launch. */
    public static final int MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

    /**
     * The largest message accepted before the other side has proven it holds the cluster's secret: a stranger
     * cannot make an agent or a head node buffer more than this per connection.
     */
    public static final int MAX_HANDSHAKE_BYTES = 64 * 1024;

    private AgentProtocol()
    {
    }
}

package io.cohort.node.protocol;

import java.time.Duration;

/** Constants both ends of the agent protocol must agree on. */
public final class AgentProtocol
{
    /** The version spoken here; a launcher and an agent of different versions refuse each other. */
    public static final int VERSION = 4;

    /** The TCP port an agent listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 7470;

    /** How often each side sends a {@link AgentMessage.Ping}. */
    public static final Duration PING_INTERVAL = Duration.ofSeconds(1);

    /** Silence longer than this means the other side is lost (killed, or the link is cut). */
    public static final Duration DEFAULT_SILENCE_LIMIT = Duration.ofSeconds(5);

    /** The largest message accepted: staged programs travel inside a Launch. */
    public static final int MAX_MESSAGE_BYTES = 512 * 1024 * 1024;
    /**
     * The most bytes of files one message can stage on a host: base64 in JSON grows them by a third, and 1 MB is
     * left for the rest of the message.
     */
    public static final long MAX_STAGED_BYTES = (MAX_MESSAGE_BYTES - 1_000_000L) * 3 / 4;

    /**
     * The largest message accepted before the other side has proven it holds the cluster's secret: a stranger
     * cannot make an agent or a head node buffer more than this per connection.
     */
    public static final int MAX_HANDSHAKE_BYTES = 64 * 1024;

    private AgentProtocol()
    {
    }
}

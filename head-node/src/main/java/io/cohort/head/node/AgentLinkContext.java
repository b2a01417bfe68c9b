package io.cohort.head.node;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * What an agent link implementation needs from the head node to listen for agents.
 *
 * @param dataDir       the head node's data directory
 * @param listen        where agents connect (the agent port from {@code DATA/head.json})
 * @param clusterSecret the cluster secret agents authenticate with (HMAC key), from {@code DATA/cluster.secret}
 * @param tls           the head node's TLS context (certificate made by {@code cohort head init}), or null
 */
public record AgentLinkContext(Path dataDir, InetSocketAddress listen, byte[] clusterSecret, SSLContext tls)
{
}

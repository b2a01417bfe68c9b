package io.cohort.head.node;

import java.io.IOException;

/**
 * Makes the agent link for {@code cohort head start}, found with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.cohort.head.node.AgentLinkProvider} entry), so the head-node module does not depend on
 * the agent's wire protocol.
 *
 * <pre>{@code
 * public final class TcpAgentLinkProvider implements AgentLinkProvider
 * {
 *     public AgentLink open(AgentEvents events, AgentLinkContext context) throws IOException { ... }
 * }
 * }</pre>
 */
public interface AgentLinkProvider
{
    /**
     * Starts listening for agents.
     *
     * @param events  where to deliver what agents report
     * @param context the head node's address, secret and TLS
     * @return the running link
     * @throws IOException if it cannot listen
     */
    AgentLink open(AgentEvents events, AgentLinkContext context) throws IOException;
}

package io.cohort.node.headlink;

import io.cohort.head.node.AgentEvents;
import io.cohort.head.node.AgentLink;
import io.cohort.head.node.AgentLinkContext;
import io.cohort.head.node.AgentLinkProvider;

import java.io.IOException;

/** Gives {@code cohort head start} the agent link over Cohort's agent protocol (found by ServiceLoader). */
public final class AgentLinkProviderImpl implements AgentLinkProvider
{
    @Override
    public AgentLink open(final AgentEvents events, final AgentLinkContext context) throws IOException
    {
        return new AgentLinkServer(events, context);
    }
}

package io.cohort.head.cli;

import picocli.CommandLine.Command;

/** {@code cohort node drain NAME}: the node runs what it has and takes nothing new. */
@Command(name = "drain", mixinStandardHelpOptions = true,
    description = "Drain a node: it keeps running what it has and gets no new ranks (admin).")
public final class NodeDrainCommand extends NodeStateCommand
{
    @Override
    protected String action()
    {
        return "drain";
    }
}

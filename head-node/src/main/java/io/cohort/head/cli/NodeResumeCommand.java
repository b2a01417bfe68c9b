package io.cohort.head.cli;

import picocli.CommandLine.Command;

/** {@code cohort node resume NAME}: a drained node takes work again. */
@Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a drained node (admin).")
public final class NodeResumeCommand extends NodeStateCommand
{
    @Override
    protected String action()
    {
        return "resume";
    }
}

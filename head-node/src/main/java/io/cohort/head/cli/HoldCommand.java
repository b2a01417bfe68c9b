package io.cohort.head.cli;

import picocli.CommandLine.Command;

/** {@code cohort hold JOB...}. */
@Command(name = "hold", mixinStandardHelpOptions = true,
    description = "Hold PENDING jobs: they wait until released.")
public final class HoldCommand extends JobActionCommand
{
    @Override
    protected String action()
    {
        return "hold";
    }
}

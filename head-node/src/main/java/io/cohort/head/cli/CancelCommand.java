package io.cohort.head.cli;

import picocli.CommandLine.Command;

/** {@code cohort cancel JOB...}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel jobs: at once if waiting; a running job gets SIGTERM, then SIGKILL after the grace period.")
public final class CancelCommand extends JobActionCommand
{
    @Override
    protected String action()
    {
        return "cancel";
    }
}

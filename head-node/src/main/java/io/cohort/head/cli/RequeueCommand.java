package io.cohort.head.cli;

import picocli.CommandLine.Command;

/** {@code cohort requeue JOB...}. */
@Command(name = "requeue", mixinStandardHelpOptions = true,
    description = "Requeue jobs: an ended job waits again (fresh retry budget); a running one is stopped and runs "
        + "again as a new attempt.")
public final class RequeueCommand extends JobActionCommand
{
    @Override
    protected String action()
    {
        return "requeue";
    }
}

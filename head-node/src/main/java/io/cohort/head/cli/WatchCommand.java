package io.cohort.head.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code cohort watch JOB}: a job's state changes and progress, live, until it ends; exits with its exit code. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = {"Follow a job's state changes and progress live until it ends, then exit with its exit code.",
        "On a terminal the state and a progress bar are one line updated in place; otherwise one line per change."},
    footer = {"Exit codes: 0 COMPLETED; the job's exit code for FAILED; " + JobWatch.CANCELLED_EXIT + " CANCELLED; "
        + JobWatch.TIMED_OUT_EXIT + " TIMED_OUT; " + JobWatch.DEAD_LETTER_EXIT + " DEAD_LETTER; "
        + ClientCommand.REFUSED + " if the head node refuses or stays unreachable."})
public final class WatchCommand extends ClientCommand
{
    @Parameters(paramLabel = "JOB", description = "The job id.")
    long job;

    @Option(names = "--plain", description = "One line per change even on a terminal.")
    boolean plain;

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        return new JobWatch(client, out, spec.commandLine().getErr(), !plain && JobWatch.onTerminal()).watch(job);
    }
}

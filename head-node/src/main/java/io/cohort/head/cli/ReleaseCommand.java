package io.cohort.head.cli;

import picocli.CommandLine.Command;

/** {@code cohort release JOB...}. */
@Command(name = "release", mixinStandardHelpOptions = true,
    description = "Release HELD jobs.")
public final class ReleaseCommand extends JobActionCommand
{
    @Override
    protected String action()
    {
        return "release";
    }
}

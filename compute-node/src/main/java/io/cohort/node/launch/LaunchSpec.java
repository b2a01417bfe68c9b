package io.cohort.node.launch;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One job for the local launcher: how many ranks, what they run, and how.
 *
 * @param ranks       the number of ranks, at least 1
 * @param program     what every rank runs
 * @param arguments   the program's arguments
 * @param environment extra environment for every rank (from {@code -x})
 * @param jvmOptions  options for the ranks' JVMs (ignored for executables)
 * @param tagOutput   prefix every output line with the rank that wrote it
 * @param timeout     kill the job after this long, or null for no limit
 */
public record LaunchSpec(int ranks, Program program, List<String> arguments, Map<String, String> environment,
    List<String> jvmOptions, boolean tagOutput, Duration timeout)
{
    /** The longest {@code --timeout}: 366 days, as the head node's time limit (longer ones overflow a clock). */
    public static final long MAX_TIMEOUT_SECONDS = 366L * 24 * 3600;

    /** Checks the values and copies the collections. */
    public LaunchSpec
    {
        if (ranks < 1)
        {
            throw new LaunchException("the number of ranks must be at least 1 (got -n " + ranks + ")");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero()))
        {
            throw new LaunchException("--timeout must be a positive number of seconds (got " + timeout.toSeconds()
                + ")");
        }
        if (timeout != null && timeout.toSeconds() > MAX_TIMEOUT_SECONDS)
        {
            throw new LaunchException("--timeout " + timeout.toSeconds() + " is longer than the limit of "
                + MAX_TIMEOUT_SECONDS + " seconds (366 days); leave --timeout out for no limit");
        }
        arguments = List.copyOf(arguments);
        environment = Map.copyOf(environment);
        jvmOptions = List.copyOf(jvmOptions);
    }
}

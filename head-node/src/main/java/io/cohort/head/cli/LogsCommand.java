package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;

/** {@code cohort logs JOB [-f] [--rank R] [--attempt N]}: a rank's output, followed while the job runs. */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = "Print a rank's output (stdout and stderr as they arrived) of a job's latest attempt.")
public final class LogsCommand extends ClientCommand
{
    private static final long POLL_MILLIS = 500;
    private static final java.util.Set<String> TERMINAL = java.util.Set.of("COMPLETED", "FAILED", "CANCELLED",
        "TIMED_OUT", "DEAD_LETTER");

    @Parameters(paramLabel = "JOB", description = "The job id.")
    long job;

    @Option(names = {"-r", "--rank"}, paramLabel = "R", description = "The rank (default 0).")
    int rank;

    @Option(names = "--attempt", paramLabel = "N", description = "The attempt (default: the latest).")
    Integer attempt;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the attempt ends (waiting for "
        + "a job that has not started yet).")
    boolean follow;

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        long offset = 0;
        Integer which = attempt;
        if (follow && which == null && !awaitFirstAttempt(client))
        {
            // Ended without ever starting (cancelled, or a dependency failed): there is no output to follow.
            return 0;
        }
        while (true)
        {
            final HttpResponse<String> response = client.text("/jobs/" + job + "/logs?rank=" + rank + "&offset="
                + offset + (which == null ? "" : "&attempt=" + which));
            out.print(response.body());
            out.flush();
            offset = Long.parseLong(response.headers().firstValue("Cohort-Next-Offset").orElse("0"));
            which = Integer.parseInt(response.headers().firstValue("Cohort-Attempt").orElse("1"));
            final boolean ended = Boolean.parseBoolean(response.headers().firstValue("Cohort-Attempt-Ended")
                .orElse("true"));
            if (!follow || ended && response.body().isEmpty())
            {
                return 0;
            }
            if (response.body().isEmpty() && !pause())
            {
                return 0;
            }
        }
    }

    /** With -f, a job that has not started yet is waited for: true once it has an attempt, false if it ended first. */
    private boolean awaitFirstAttempt(final HeadClient client) throws IOException
    {
        while (true)
        {
            final JsonNode view = client.call("GET", "/jobs/" + job, null);
            if (view.path("attempts").asInt() > 0)
            {
                return true;
            }
            if (TERMINAL.contains(view.path("state").asText()))
            {
                return false;
            }
            if (!pause())
            {
                return false;
            }
        }
    }

    private static boolean pause()
    {
        try
        {
            Thread.sleep(POLL_MILLIS);
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package io.cohort.head.cli;

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

    @Parameters(paramLabel = "JOB", description = "The job id.")
    long job;

    @Option(names = {"-r", "--rank"}, paramLabel = "R", description = "The rank (default 0).")
    int rank;

    @Option(names = "--attempt", paramLabel = "N", description = "The attempt (default: the latest).")
    Integer attempt;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the attempt ends.")
    boolean follow;

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        long offset = 0;
        Integer which = attempt;
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
            if (response.body().isEmpty())
            {
                try
                {
                    Thread.sleep(POLL_MILLIS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
    }
}

package io.cohort.benchmarks.head;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cohort bench head}: jobs per second through a running head node (see {@link SubmitThroughput}). */
@Command(name = "head", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Submit many one-rank jobs to a running head node through its REST API and report accepted "
        + "jobs/s (durable) and completed jobs/s.", "scripts/bench-head.sh sets up a head node and agents for it."})
public final class HeadBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", required = true,
        description = "client.json of the head node (from cohort head init).")
    private Path config;

    @Option(names = "--jobs", paramLabel = "N", description = "Jobs to submit. Default: ${DEFAULT-VALUE}.")
    private int jobs = 10_000;

    @Option(names = "--concurrency", paramLabel = "C", description = "Clients submitting at once. "
        + "Default: ${DEFAULT-VALUE}.")
    private int concurrency = 16;

    @Option(names = "--program", paramLabel = "PATH", description = "What each job runs. Default: ${DEFAULT-VALUE}.")
    private String program = "/bin/true";

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        if (jobs < 1 || concurrency < 1)
        {
            throw new ParameterException(spec.commandLine(), "--jobs and --concurrency must be at least 1 (got "
                + jobs + " and " + concurrency + ")");
        }
        final SubmitThroughput.Result result = new SubmitThroughput(config, System.out).run(jobs, concurrency,
            program);
        System.out.printf("accepted_per_second %.0f%ncompleted_per_second %.0f%n", result.acceptedPerSecond(),
            result.completedPerSecond());
        return result.failed() == 0 ? 0 : 1;
    }
}

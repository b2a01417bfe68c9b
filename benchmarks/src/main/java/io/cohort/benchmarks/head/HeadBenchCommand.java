package io.cohort.benchmarks.head;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Option(names = "--jobs", paramLabel = "N", description = "Jobs to submit and count. Default: ${DEFAULT-VALUE}.")
    private int jobs = 10_000;

    @Option(names = "--warmup", paramLabel = "W", description = "Jobs to submit first, in this same client, and not "
        + "count: the head node, the agents and this client all reach their compiled steady state. "
        + "Default: ${DEFAULT-VALUE}.")
    private int warmup = 0;

    @Option(names = "--concurrency", paramLabel = "C", description = "Clients submitting at once. "
        + "Default: ${DEFAULT-VALUE}.")
    private int concurrency = 16;

    @Option(names = "--program", paramLabel = "PATH", description = "What each job runs. Default: ${DEFAULT-VALUE}.")
    private String program = "/bin/true";

    @Option(names = "--held", description = "Submit the jobs held, so that none runs, and cancel them afterwards: "
        + "measures how fast the head node makes submissions durable while nothing else loads it.")
    private boolean held;

    @Option(names = "--cpu-of", paramLabel = "NAME=PID[,PID...]", description = "Also report the CPU time these "
        + "processes of this machine (and the children they reaped) used during the counted jobs, per job, as "
        + "NAME_cpu_ms_per_job. Repeatable, e.g. --cpu-of head=1234 --cpu-of agents=1301,1302.")
    private List<String> cpuOf = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        if (jobs < 1 || concurrency < 1 || warmup < 0)
        {
            throw new ParameterException(spec.commandLine(), "--jobs and --concurrency must be at least 1 and "
                + "--warmup at least 0 (got " + jobs + ", " + concurrency + " and " + warmup + ")");
        }
        final Map<String, ProcessCpu> watched = new LinkedHashMap<>();
        for (final String entry : cpuOf)
        {
            final int equals = entry.indexOf('=');
            if (equals < 1 || equals == entry.length() - 1)
            {
                throw new ParameterException(spec.commandLine(), "--cpu-of '" + entry + "' is not NAME=PID[,PID...]"
                    + " (e.g. head=1234)");
            }
            try
            {
                watched.put(entry.substring(0, equals), ProcessCpu.of(entry.substring(equals + 1)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), "--cpu-of '" + entry + "': " + ex.getMessage());
            }
        }
        final SubmitThroughput throughput = new SubmitThroughput(config, System.out);
        if (warmup > 0)
        {
            System.out.println("# warm-up: " + warmup + " jobs, not counted");
            throughput.run(warmup, concurrency, program, held, "# warm-up: ");
        }
        final Map<String, Double> before = new LinkedHashMap<>();
        for (final Map.Entry<String, ProcessCpu> entry : watched.entrySet())
        {
            before.put(entry.getKey(), entry.getValue().seconds());
        }
        final SubmitThroughput.Result result = throughput.run(jobs, concurrency, program, held, "# ");
        System.out.printf("accepted_per_second %.0f%n", result.acceptedPerSecond());
        if (!held)
        {
            System.out.printf("completed_per_second %.0f%n", result.completedPerSecond());
        }
        for (final Map.Entry<String, ProcessCpu> entry : watched.entrySet())
        {
            final double used = entry.getValue().seconds() - before.get(entry.getKey());
            System.out.printf("%s_cpu_ms_per_job %.3f%n", entry.getKey(), 1000 * used / jobs);
        }
        if (held)
        {
            System.out.println("# " + throughput.cancelHeld(concurrency) + " held jobs cancelled");
        }
        return result.failed() == 0 ? 0 : 1;
    }
}

package io.cohort.benchmarks.osu;

import io.cohort.benchmarks.head.HeadBenchCommand;
import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.TunedCollective;
import io.cohort.node.cluster.ClusterLauncher;
import io.cohort.node.cluster.ClusterSpec;
import io.cohort.node.cluster.HostList;
import io.cohort.node.cluster.MapBy;
import io.cohort.node.launch.LaunchException;
import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.LocalLauncher;
import io.cohort.node.launch.Program;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.ProtocolException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cohort bench}: OSU-style micro-benchmarks that launch their own 2-rank job on this machine and print
 * osu_latency's or osu_bw's format, so their output lines up with Open MPI's in scripts/bench-vs-openmpi.sh.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "OSU-style benchmarks of Cohort's transport (each launches its own 2-rank job).",
    subcommands = {BenchCommand.Latency.class, BenchCommand.Bandwidth.class, BenchCommand.Allreduce.class,
        BenchCommand.Bcast.class, BenchCommand.Allgather.class, BenchCommand.Alltoall.class,
        BenchCommand.Barrier.class, HeadBenchCommand.class})
public final class BenchCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "name a benchmark: latency, bandwidth, allreduce, bcast, "
            + "allgather, alltoall or barrier");
    }

    /**
     * OSU's untimed calls right before each size's timed ones ({@code --skip}, {@code --skip-large}); each benchmark
     * has the defaults of its Open MPI yardstick in scripts/bench-vs-openmpi.sh. Without them a small size is timed
     * straight after the large calls of the pass before, whose traffic has just emptied the caches and TLBs.
     */
    static final class Skips
    {
        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Option(names = "--skip", paramLabel = "N", description = "Untimed round trips, windows or calls right before "
            + "each size's timed ones, as OSU's skip (sizes up to 8 KiB). Default: latency 10000, bandwidth 200, "
            + "collectives 1000.")
        Integer skip;

        @Option(names = "--skip-large", paramLabel = "N", description = "The same above 8 KiB. Default: latency 10, "
            + "bandwidth 2, collectives 10.")
        Integer skipLarge;

        /** The rank program's two skip arguments: the options given, else the benchmark's defaults. */
        List<String> arguments(final int defaultSkip, final int defaultSkipLarge)
        {
            final int small = skip != null ? skip : defaultSkip;
            final int large = skipLarge != null ? skipLarge : defaultSkipLarge;
            if (small < 0 || large < 0)
            {
                throw new ParameterException(mixee.commandLine(), "--skip and --skip-large must be >= 0 (got "
                    + small + " and " + large + ")");
            }
            return List.of(Integer.toString(small), Integer.toString(large));
        }
    }

    /** Options every benchmark shares. */
    abstract static class Common
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--sizes", paramLabel = "LIST", description = "Message sizes in bytes, comma-separated; "
            + "K and M suffixes allowed (default: 1 to 4M in powers of two).")
        String sizes = BenchArguments.DEFAULT_SIZES;

        @Option(names = "--warmup-seconds", paramLabel = "S", description = "Minimum time of the untimed warm-up "
            + "passes, so the JIT has finished compiling before timing starts. Default: 3, or 10 when there are "
            + "more ranks than cores (every rank's JIT then competes for them).")
        double warmupSeconds = -1;

        double warmupSeconds(final int ranks)
        {
            if (warmupSeconds >= 0)
            {
                return warmupSeconds;
            }
            return ranks > Runtime.getRuntime().availableProcessors() ? 10 : 3;
        }

        @Option(names = "--buffer", paramLabel = "KIND", description = "shared (Cohort.allocate: single copy), "
            + "native (off-heap), or heap (byte[]; double[] for allreduce); not for barrier. Default: shared, "
            + "and heap for allreduce (double arrays, as most solvers hold their vectors).")
        String buffer = "shared";

        @Option(names = "--transport", paramLabel = "auto|shm|tcp", description = "How the ranks talk: auto (shm on "
            + "one host, tcp between hosts), shm, or tcp (also on one host). Default: ${DEFAULT-VALUE}.")
        String transport = "auto";

        @Option(names = "--hostfile", paramLabel = "FILE", description = "Run the ranks on these hosts' agents, "
            + "one rank per host in turn (as cohort run --hostfile FILE --map-by node).")
        Path hostfile;

        @Option(names = "--secret", paramLabel = "FILE", description = "The cluster secret for --hostfile "
            + "(default: $COHORT_SECRET_FILE or ~/.cohort/secret).")
        Path secret;

        @Option(names = "-x", paramLabel = "NAME=VALUE", description = "Environment for the ranks, e.g. "
            + "-x COHORT_EAGER_LIMIT=4096 (repeatable).")
        List<String> exports = new ArrayList<>();

        @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "An option for the ranks' JVMs.")
        List<String> jvmOptions = new ArrayList<>();

        int launch(final Class<?> rankProgram, final int iterations, final int warmup, final List<String> arguments)
        {
            return launch(rankProgram, 2, iterations, warmup, arguments);
        }

        int launch(final Class<?> rankProgram, final int ranks, final int iterations, final int warmup,
            final List<String> arguments)
        {
            if (ranks < 1)
            {
                throw new ParameterException(spec.commandLine(), "-n must be at least 1 (got " + ranks + ")");
            }
            if (!List.of("auto", "shm", "tcp").contains(transport))
            {
                throw new ParameterException(spec.commandLine(), "--transport '" + transport + "' is not one of "
                    + "auto, shm, tcp");
            }
            if (iterations < 1 || warmup < 0)
            {
                throw new ParameterException(spec.commandLine(), "--iterations must be >= 1 and --warmup >= 0 (got "
                    + iterations + " and " + warmup + ")");
            }
            try
            {
                BenchArguments.sizes(sizes);
                BenchmarkBuffers.parse(buffer);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), ex.getMessage());
            }
            final Map<String, String> env = new LinkedHashMap<>();
            env.put("COHORT_TRANSPORT", transport);
            for (final String export : exports)
            {
                final int eq = export.indexOf('=');
                if (eq <= 0)
                {
                    throw new ParameterException(spec.commandLine(), "-x " + export + " must be NAME=VALUE");
                }
                env.put(export.substring(0, eq), export.substring(eq + 1));
            }
            final List<String> jvm = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xms256m"));
            jvm.addAll(jvmOptions);
            try
            {
                final String classes = Path.of(rankProgram.getProtectionDomain().getCodeSource().getLocation()
                    .toURI()).toString();
                final List<String> classpath = new ArrayList<>(List.of(classes));
                classpath.add(Path.of(org.HdrHistogram.Histogram.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString());
                final LaunchSpec job = new LaunchSpec(ranks, new Program.MainClass(classpath, rankProgram.getName()),
                    arguments, env, jvm, false, null);
                if (hostfile == null)
                {
                    return new LocalLauncher(System.out, System.err).run(job);
                }
                final ClusterSpec cluster = new ClusterSpec(HostList.read(hostfile, AgentProtocol.DEFAULT_PORT),
                    MapBy.NODE, 0, ClusterSecret.load(secret != null ? secret : ClusterSecret.defaultFile()), false,
                    false, AgentProtocol.DEFAULT_SILENCE_LIMIT);
                return new ClusterLauncher(System.out, System.err).run(job, cluster);
            }
            catch (final URISyntaxException | LaunchException | ProtocolException ex)
            {
                spec.commandLine().getErr().println("cohort bench: " + ex.getMessage());
                return 2;
            }
        }
    }

    /** {@code cohort bench latency}: osu_latency. */
    @Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Ping-pong latency (osu_latency): one-way time in microseconds per message size.")
    static final class Latency extends Common implements java.util.concurrent.Callable<Integer>
    {
        @Option(names = "--iterations", paramLabel = "N",
            description = "Round trips per size (a tenth of it above 8 KiB, as OSU). Default: ${DEFAULT-VALUE}.")
        int iterations = 10_000;

        @Option(names = "--warmup", paramLabel = "N", description = "Warm-up round trips per size, run in an "
            + "untimed pass over every size first so the JIT has compiled each path. Default: ${DEFAULT-VALUE}.")
        int warmup = 20_000;

        @Option(names = "--percentiles", description = "Also print p50, p99 and p99.9 (HdrHistogram).")
        boolean percentiles;

        @Mixin
        Skips skips;

        @Override
        public Integer call()
        {
            final List<String> arguments = new ArrayList<>(List.of(sizes, Integer.toString(iterations),
                Integer.toString(warmup), buffer, Boolean.toString(percentiles), Double.toString(warmupSeconds(2))));
            arguments.addAll(skips.arguments(10_000, 10));
            return launch(OsuLatency.class, iterations, warmup, arguments);
        }
    }

    /** {@code cohort bench bandwidth}: osu_bw. */
    @Command(name = "bandwidth", mixinStandardHelpOptions = true,
        description = "Streaming bandwidth (osu_bw): a window of nonblocking sends, in MB/s per message size.")
    static final class Bandwidth extends Common implements java.util.concurrent.Callable<Integer>
    {
        @Option(names = "--iterations", paramLabel = "N",
            description = "Windows per size (a fifth of it above 8 KiB, as OSU). Default: ${DEFAULT-VALUE}.")
        int iterations = 100;

        @Option(names = "--warmup", paramLabel = "N", description = "Warm-up windows per size, run in an untimed "
            + "pass over every size first. Default: ${DEFAULT-VALUE}.")
        int warmup = 200;

        @Option(names = "--window", paramLabel = "N", description = "Messages in flight per round. "
            + "Default: ${DEFAULT-VALUE}.")
        int window = 64;

        @Mixin
        Skips skips;

        @Override
        public Integer call()
        {
            if (window < 1)
            {
                throw new ParameterException(spec.commandLine(), "--window must be >= 1 (got " + window + ")");
            }
            final List<String> arguments = new ArrayList<>(List.of(sizes, Integer.toString(iterations),
                Integer.toString(warmup), buffer, Integer.toString(window), Double.toString(warmupSeconds(2))));
            arguments.addAll(skips.arguments(200, 2));
            return launch(OsuBandwidth.class, iterations, warmup, arguments);
        }
    }

    /** What the collective benchmarks share. */
    abstract static class CollectiveBenchmark extends Common implements java.util.concurrent.Callable<Integer>
    {
        @Option(names = {"-n", "--np"}, paramLabel = "RANKS", description = "Ranks. Default: ${DEFAULT-VALUE}.")
        int ranks = 2;

        @Option(names = "--iterations", paramLabel = "N",
            description = "Calls per size (a tenth of it above 8 KiB, as OSU). Default: ${DEFAULT-VALUE}.")
        int iterations = 1_000;

        @Option(names = "--warmup", paramLabel = "N", description = "Warm-up calls per size in each untimed pass. "
            + "Default: ${DEFAULT-VALUE}.")
        int warmup = 1_000;

        @Mixin
        Skips skips;

        @Option(names = "--algorithm", paramLabel = "NAME", description = "Force one algorithm on every call "
            + "(allreduce: recursive-doubling, rabenseifner, ring, shm; bcast: binomial, scatter-allgather, shm; "
            + "allgather: recursive-doubling, bruck, ring; alltoall: bruck, pairwise; barrier: dissemination, shm), "
            + "or auto. Default: ${DEFAULT-VALUE}.")
        String algorithm = "auto";

        @Option(names = "--sweep", description = "Time every size under automatic selection and under each "
            + "algorithm, one column each, to tune the COHORT_<COLLECTIVE>_* thresholds for this machine.")
        boolean sweep;

        abstract String collective();

        /** The algorithm argument of the rank program: auto, a valid algorithm's name, or sweep. */
        String algorithmArgument()
        {
            final boolean forced = !"auto".equalsIgnoreCase(algorithm);
            if (sweep && forced)
            {
                throw new ParameterException(spec.commandLine(), "--sweep times every algorithm: leave out "
                    + "--algorithm " + algorithm);
            }
            if (sweep)
            {
                return "sweep";
            }
            if (!forced)
            {
                return "auto";
            }
            final TunedCollective tuned = TunedCollective.valueOf(collective().toUpperCase(java.util.Locale.ROOT));
            final CollectiveAlgorithm chosen = CollectiveAlgorithm.ofId(algorithm);
            if (chosen == null || !tuned.algorithms().contains(chosen))
            {
                final List<String> allowed = new ArrayList<>(List.of("auto"));
                for (final CollectiveAlgorithm each : tuned.algorithms())
                {
                    allowed.add(each.id());
                }
                throw new ParameterException(spec.commandLine(), "--algorithm " + algorithm + " is not an algorithm "
                    + "of " + collective() + ": use one of " + String.join(", ", allowed));
            }
            return chosen.id();
        }

        @Override
        public Integer call()
        {
            final String algorithmArgument = algorithmArgument();
            if (!"barrier".equals(collective()))
            {
                for (final long size : BenchArguments.sizes(sizes))
                {
                    if ("allreduce".equals(collective()) && size % Double.BYTES != 0)
                    {
                        throw new ParameterException(spec.commandLine(), "allreduce sums doubles: size " + size
                            + " is not a multiple of 8 bytes");
                    }
                }
            }
            final List<String> arguments = new ArrayList<>(List.of(collective(), sizes,
                Integer.toString(iterations), Integer.toString(warmup), Double.toString(warmupSeconds(ranks)),
                algorithmArgument));
            arguments.addAll(skips.arguments(1_000, 10));
            final boolean barrier = "barrier".equals(collective());
            final boolean given = spec.commandLine().getParseResult().hasMatchedOption("--buffer");
            if (barrier && given)
            {
                throw new ParameterException(spec.commandLine(), "--buffer does not apply to barrier, which moves no "
                    + "data: leave it out");
            }
            arguments.add(barrier || !given && "allreduce".equals(collective()) ? "heap" : buffer);
            return launch(OsuCollective.class, ranks, iterations, warmup, arguments);
        }
    }

    /** {@code cohort bench allreduce}: osu_allreduce (sum of doubles). */
    @Command(name = "allreduce", mixinStandardHelpOptions = true,
        description = "Allreduce latency (osu_allreduce, sum of doubles): slowest rank's average per call.")
    static final class Allreduce extends CollectiveBenchmark
    {
        Allreduce()
        {
            sizes = "8,64,512,4096,32768,262144,1048576,8388608";
        }

        @Override
        String collective()
        {
            return "allreduce";
        }
    }

    /** {@code cohort bench bcast}: osu_bcast. */
    @Command(name = "bcast", mixinStandardHelpOptions = true,
        description = "Broadcast latency (osu_bcast) from rank 0: slowest rank's average per call.")
    static final class Bcast extends CollectiveBenchmark
    {
        @Override
        String collective()
        {
            return "bcast";
        }
    }

    /** {@code cohort bench allgather}: osu_allgather. */
    @Command(name = "allgather", mixinStandardHelpOptions = true,
        description = "Allgather latency (osu_allgather): every rank gathers SIZE bytes from every rank; slowest "
            + "rank's average per call.")
    static final class Allgather extends CollectiveBenchmark
    {
        Allgather()
        {
            sizes = "1,2,4,8,16,32,64,128,256,512,1K,2K,4K,8K,16K,32K,64K,128K,256K,512K,1M";
        }

        @Override
        String collective()
        {
            return "allgather";
        }
    }

    /** {@code cohort bench alltoall}: osu_alltoall. */
    @Command(name = "alltoall", mixinStandardHelpOptions = true,
        description = "All-to-all latency (osu_alltoall): every rank sends SIZE bytes to every rank; slowest "
            + "rank's average per call.")
    static final class Alltoall extends CollectiveBenchmark
    {
        Alltoall()
        {
            sizes = "1,2,4,8,16,32,64,128,256,512,1K,2K,4K,8K,16K,32K,64K,128K,256K,512K,1M";
        }

        @Override
        String collective()
        {
            return "alltoall";
        }
    }

    /** {@code cohort bench barrier}: osu_barrier. */
    @Command(name = "barrier", mixinStandardHelpOptions = true,
        description = "Barrier latency (osu_barrier): slowest rank's average per call.")
    static final class Barrier extends CollectiveBenchmark
    {
        @Override
        String collective()
        {
            return "barrier";
        }
    }
}

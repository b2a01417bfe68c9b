package io.cohort.cli;

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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cohort run}: launches N ranks on this machine, or across hosts' agents, as mpirun does. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Launch a job of N ranks on this machine, or across hosts with --hosts/--hostfile (mpirun-style).",
        "  cohort run -n 4 app.jar [ARGS...]",
        "  cohort run -n 4 -cp CLASSPATH MAINCLASS [ARGS...]",
        "  cohort run -n 4 -- PROGRAM [ARGS...]   (any executable; rank in COHORT_RANK)",
        "  cohort run -n 8 --hosts n1:4,n2:4 app.jar   (agents started with 'cohort node start')"},
    footer = {"Exit code: 0, or the first failing rank's exit code (the other ranks are stopped), "
        + "or 124 after --timeout, or 1 when a host is lost mid-job."})
public final class RunCommand implements Callable<Integer>
{
    private static final List<String> CLUSTER_OPTIONS = List.of("--map-by", "--npernode", "--agent-port", "--secret",
        "--keep-workdir");

    @Spec
    private CommandSpec spec;

    @Option(names = {"-n", "-np", "--np"}, required = true, paramLabel = "N", description = "Number of ranks.")
    private int ranks;

    @Option(names = {"-cp", "--classpath"}, paramLabel = "CLASSPATH",
        description = "Run MAINCLASS from this classpath (':'-separated).")
    private String classpath;

    @Option(names = "--tag-output", description = "Prefix each output line with [1,RANK]<stdout|stderr>:.")
    private boolean tagOutput;

    @Option(names = "-x", paramLabel = "NAME[=VALUE]",
        description = "Pass an environment variable to every rank (its current value if no VALUE).")
    private List<String> exports = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop the job after this many seconds.")
    private Long timeoutSeconds;

    @Option(names = "--jvm-opt", paramLabel = "OPTION",
        description = "An option for the ranks' JVMs, e.g. --jvm-opt=-Xmx2g (repeatable).")
    private List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--hosts", paramLabel = "HOST[:SLOTS],...",
        description = "Run across these hosts' agents (cohort node start), e.g. --hosts n1:4,n2:4.")
    private String hosts;

    @Option(names = "--hostfile", paramLabel = "FILE",
        description = "Hosts from a file: one per line, 'HOST slots=N' or 'HOST:N' (optional port=N).")
    private Path hostfile;

    @Option(names = "--map-by", paramLabel = "slot|node",
        description = "Fill each host in turn (slot, the default) or deal ranks round robin (node).")
    private String mapBy = "slot";

    @Option(names = "--npernode", paramLabel = "K", description = "At most K ranks per host.")
    private int perNode;

    @Option(names = "--agent-port", paramLabel = "PORT", description = "The agents' port (default 7470).")
    private int agentPort = AgentProtocol.DEFAULT_PORT;

    @Option(names = "--secret", paramLabel = "FILE",
        description = "The cluster secret (default: $COHORT_SECRET_FILE or ~/.cohort/secret).")
    private Path secret;

    @Option(names = "--keep-workdir", description = "Keep the job's working directories on the hosts.")
    private boolean keepWorkdir;

    @Option(names = "--transport", paramLabel = "auto|shm|tcp",
        description = "Force how ranks talk: shm (one host only), tcp (everywhere), auto (shm on a host, tcp "
            + "between hosts; the default).")
    private String transport;

    @Option(names = "--report-bindings", description = "Report where each rank runs and how it reaches each peer.")
    private boolean reportBindings;

    @Parameters(paramLabel = "PROGRAM", arity = "1..*",
        description = "JAR, MAINCLASS (with -cp), or after --, any executable; then its arguments.")
    private List<String> program = new ArrayList<>();

    @Override
    public Integer call()
    {
        final List<String> original = spec.commandLine().getParseResult().originalArgs();
        final int dashes = original.indexOf("--");
        final boolean executable = dashes >= 0 && (dashes == original.size() - program.size() - 1);
        if (executable && classpath != null)
        {
            throw new ParameterException(spec.commandLine(), "use either -cp CLASSPATH MAINCLASS or -- PROGRAM, "
                + "not both");
        }
        final Program what;
        if (executable)
        {
            what = new Program.Executable(program.get(0));
        }
        else if (classpath != null)
        {
            what = new Program.MainClass(Arrays.asList(classpath.split(File.pathSeparator)), program.get(0));
        }
        else
        {
            what = new Program.Jar(Path.of(program.get(0)));
        }
        try
        {
            final LaunchSpec job = new LaunchSpec(ranks, what, program.subList(1, program.size()), environment(),
                jvmOptions, tagOutput, timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds));
            if (hosts == null && hostfile == null)
            {
                refuseClusterOptions();
                return new LocalLauncher(System.out, System.err).run(job);
            }
            return new ClusterLauncher(System.out, System.err).run(job, cluster());
        }
        catch (final LaunchException | ProtocolException ex)
        {
            spec.commandLine().getErr().println("cohort run: " + ex.getMessage());
            return 2;
        }
    }

    /** Options that only mean something across hosts are an error without them, rather than silently ignored. */
    private void refuseClusterOptions()
    {
        final List<String> given = CLUSTER_OPTIONS.stream()
            .filter(name -> spec.commandLine().getParseResult().hasMatchedOption(name)).toList();
        if (!given.isEmpty())
        {
            throw new ParameterException(spec.commandLine(), String.join(", ", given) + (given.size() == 1
                ? " applies" : " apply") + " only to a job across hosts: add --hosts HOST:SLOTS,... or --hostfile FILE"
                + " (without them the ranks run on this machine)");
        }
    }

    private ClusterSpec cluster()
    {
        if (hosts != null && hostfile != null)
        {
            throw new ParameterException(spec.commandLine(), "use either --hosts or --hostfile, not both");
        }
        final MapBy by = switch (mapBy)
        {
            case "slot" -> MapBy.SLOT;
            case "node" -> MapBy.NODE;
            default -> throw new ParameterException(spec.commandLine(), "--map-by '" + mapBy + "' is not one of "
                + "slot, node");
        };
        if (perNode < 0 || perNode == 0 && spec.commandLine().getParseResult().hasMatchedOption("--npernode"))
        {
            throw new ParameterException(spec.commandLine(), "--npernode must be at least 1 (got " + perNode + ")");
        }
        if (agentPort < 1 || agentPort > 65_535)
        {
            throw new ParameterException(spec.commandLine(), "--agent-port " + agentPort + " is not a port (1 to "
                + "65535; the agents' default is " + AgentProtocol.DEFAULT_PORT + ")");
        }
        return new ClusterSpec(hosts != null ? HostList.parse(hosts, agentPort) : HostList.read(hostfile, agentPort),
            by, perNode, ClusterSecret.load(secret != null ? secret : ClusterSecret.defaultFile()), keepWorkdir,
            reportBindings, AgentProtocol.DEFAULT_SILENCE_LIMIT);
    }

    private Map<String, String> environment()
    {
        final Map<String, String> env = new LinkedHashMap<>();
        if (transport != null)
        {
            if (!List.of("auto", "shm", "tcp").contains(transport))
            {
                throw new ParameterException(spec.commandLine(), "--transport '" + transport + "' is not one of "
                    + "auto, shm, tcp");
            }
            env.put("COHORT_TRANSPORT", transport);
        }
        if (reportBindings)
        {
            env.put(ClusterLauncher.REPORT_BINDINGS, "1");
        }
        for (final String export : exports)
        {
            final int eq = export.indexOf('=');
            final String name = eq < 0 ? export : export.substring(0, eq);
            if (name.isEmpty())
            {
                throw new ParameterException(spec.commandLine(), "-x '" + export + "' names no variable; use "
                    + "-x NAME or -x NAME=VALUE");
            }
            final String value = eq < 0 ? System.getenv(name) : export.substring(eq + 1);
            if (value == null)
            {
                throw new ParameterException(spec.commandLine(), "-x " + name + ": the variable is not set here; "
                    + "give a value with -x " + name + "=VALUE");
            }
            env.put(name, value);
        }
        final String chosen = env.get("COHORT_TRANSPORT");
        if (chosen != null && !List.of("auto", "shm", "tcp").contains(chosen.trim()))
        {
            // Every rank would refuse it at start-up; say so once, before any starts.
            throw new ParameterException(spec.commandLine(), "-x COHORT_TRANSPORT=" + chosen + " is not one of auto, "
                + "shm, tcp (or use --transport)");
        }
        return env;
    }
}

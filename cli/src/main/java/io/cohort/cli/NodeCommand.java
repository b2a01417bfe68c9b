package io.cohort.cli;

import io.cohort.node.agent.Agent;
import io.cohort.node.agent.AgentConfig;
import io.cohort.node.agent.HeadConnection;
import io.cohort.node.agent.JoinFile;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.ProtocolException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code cohort node}: the compute-node agent. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "The compute-node agent (start), and a head node's view of nodes (drain, resume).",
    subcommands = NodeCommand.Start.class)
public final class NodeCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    /** {@code cohort node start}: runs an agent until it is stopped (SIGTERM or Ctrl-C). */
    @Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a compute-node agent: it takes launch orders from 'cohort run --hosts' (holders of the "
            + "cluster secret only), runs their ranks in per-job working directories, and cleans up after them.",
            "Stops on SIGTERM or Ctrl-C, stopping the ranks it runs."})
    public static final class Start implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Option(names = "--listen", paramLabel = "ADDR:PORT",
            description = "Where to take orders (default 0.0.0.0:" + AgentProtocol.DEFAULT_PORT + ").")
        private String listen = "0.0.0.0:" + AgentProtocol.DEFAULT_PORT;

        @Option(names = "--slots", paramLabel = "N", description = "Ranks it runs at once (default: the cores).")
        private Integer slots;

        @Option(names = "--name", paramLabel = "NAME", description = "Its name in reports (default: the host name).")
        private String name;

        @Option(names = "--secret", paramLabel = "FILE",
            description = "The cluster secret (default: $COHORT_SECRET_FILE or ~/.cohort/secret).")
        private Path secret;

        @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where per-job working directories are made (default: $TMPDIR/cohort-agent-NAME).")
        private Path workDir;

        @Option(names = "--join", paramLabel = "FILE",
            description = "Join a head node with the join.json 'cohort head init' wrote (its secret is then the "
                + "cluster secret).")
        private Path joinFile;

        @Option(names = "--heartbeat-timeout", paramLabel = "SECONDS",
            description = "Stop a job whose launcher is silent this long (default 5).")
        private int heartbeatTimeout = (int) AgentProtocol.DEFAULT_SILENCE_LIMIT.toSeconds();

        @Override
        public Integer call() throws IOException, InterruptedException
        {
            final String agentName = name != null ? name : hostName();
            final AgentConfig config;
            final JoinFile join;
            try
            {
                join = joinFile == null ? null : JoinFile.read(joinFile);
                final ClusterSecret key = secret == null && join != null ? join.secret()
                    : ClusterSecret.load(secret != null ? secret : ClusterSecret.defaultFile());
                config = new AgentConfig(address(listen), slots != null ? slots
                    : Runtime.getRuntime().availableProcessors(), agentName, key,
                    workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"),
                        "cohort-agent-" + agentName), Duration.ofSeconds(positive(heartbeatTimeout)));
            }
            catch (final IllegalArgumentException | ProtocolException ex)
            {
                throw new ParameterException(spec.commandLine(), ex.getMessage());
            }
            final CountDownLatch stopped = new CountDownLatch(1);
            try (Agent agent = new Agent(config, System.err))
            {
                final HeadConnection head = join == null ? null : new HeadConnection(agent, join);
                try
                {
                    System.out.println("cohort node " + agentName + ": ready on " + agent.address().getAddress()
                        .getHostAddress() + ":" + agent.address().getPort());
                    System.out.flush();
                    stopped.await();
                }
                finally
                {
                    if (head != null)
                    {
                        head.close();
                    }
                }
            }
            return 0;
        }

        private int positive(final int value)
        {
            if (value < 1)
            {
                throw new IllegalArgumentException("--heartbeat-timeout must be at least 1 second (got " + value
                    + ")");
            }
            return value;
        }

        private static String hostName()
        {
            try
            {
                return InetAddress.getLocalHost().getHostName();
            }
            catch (final UnknownHostException ex)
            {
                return "node";
            }
        }
    }

    /**
     * Parses ADDR:PORT.
     *
     * @param text the option's value
     * @return the socket address
     */
    static InetSocketAddress address(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("--listen '" + text + "' is not ADDR:PORT (e.g. 0.0.0.0:"
                + AgentProtocol.DEFAULT_PORT + ")");
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--listen '" + text + "': the port is not a number", ex);
        }
        if (port < 0 || port > 65_535)
        {
            throw new IllegalArgumentException("--listen '" + text + "': port " + port + " is outside 0..65535");
        }
        try
        {
            return new InetSocketAddress(InetAddress.getByName(text.substring(0, colon)), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("--listen '" + text + "': unknown address", ex);
        }
    }
}

package io.cohort.head.cli;

import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.HeadSettings;
import io.cohort.head.node.AgentLinkProvider;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.service.WebhookSettings;
import io.cohort.head.store.PackageStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code cohort head init|start}: make and run a head node. */
@Command(name = "head", mixinStandardHelpOptions = true,
    description = "Make (init) and run (start) a head node: the durable job queue, scheduler and REST API.",
    subcommands = {HeadCommand.Init.class, HeadCommand.Start.class})
public final class HeadCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code cohort head init --data DIR --advertise HOST:PORT}. */
    @Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a head node's data directory: store, cluster secret, certificate authority and TLS "
            + "certificate, the first admin token, and two files to hand on:",
            "  DIR/client.json  for the CLI (copy to ~/.cohort/config.json, or use --config / COHORT_CONFIG)",
            "  DIR/join.json    for agents (cohort node start --join FILE)"})
    public static final class Init implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "The data directory to create.")
        Path data;

        @Option(names = "--advertise", required = true, paramLabel = "HOST:PORT",
            description = "Where clients reach the API; agents connect to PORT+1.")
        String advertise;

        @Option(names = "--no-tls", description = "Serve plain HTTP and plain agent links (trusted networks only).")
        boolean noTls;

        @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Use this server certificate instead of making a CA (with --tls-key and --tls-ca).")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's PKCS#8 private key.")
        Path tlsKey;

        @Option(names = "--tls-ca", paramLabel = "PEM", description = "The CA that signed it (clients trust it).")
        Path tlsCa;

        @Override
        public Integer call() throws IOException
        {
            final int given = (tlsCert == null ? 0 : 1) + (tlsKey == null ? 0 : 1) + (tlsCa == null ? 0 : 1);
            if (given != 0 && given != 3)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --tls-cert, --tls-key and --tls-ca "
                    + "together, or none of them to have a CA made here");
            }
            final HeadInit.Result result;
            try
            {
                result = HeadInit.init(data, advertise, !noTls, given == 3
                    ? new HeadInit.OperatorTls(tlsCert, tlsKey, tlsCa) : null);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println("Head node initialised in " + data.toAbsolutePath());
            out.println("  API:        " + result.settings().url() + (noTls ? " (no TLS)" : " (TLS, CA in "
                + data.resolve("tls/ca.pem") + ")"));
            out.println("  agents:     port " + result.settings().agentPort());
            out.println("  CLI config: " + result.client() + " (holds the admin token; keep it private)");
            out.println("  agent join: " + result.join() + " (holds the cluster secret; keep it private)");
            out.println("Start it with: cohort head start --data " + data);
            out.flush();
            return 0;
        }
    }

    /** {@code cohort head start --data DIR}. */
    @Command(name = "start", mixinStandardHelpOptions = true,
        description = "Run the head node of a data directory until SIGINT or SIGTERM.")
    public static final class Start implements Callable<Integer>
    {
        /** How long a SIGTERM during start-up waits for the start to end before the JVM stops without closing. */
        private static final Duration START_WAIT = Duration.ofSeconds(60);

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "The data directory (head init).")
        Path data;

        @Option(names = "--kill-grace", paramLabel = "DURATION",
            description = "Time between SIGTERM and SIGKILL when stopping a job (default 10s).")
        String killGrace;

        @Option(names = "--max-package-bytes", paramLabel = "BYTES",
            description = "The largest package upload (default 268435456).")
        Long maxPackageBytes;

        @Option(names = "--package-retention", paramLabel = "DURATION",
            description = "How long an uploaded package that no waiting, running or recently ended job names is kept "
                + "after its last use, or 'forever' (at least 10m; default 7d).")
        String packageRetention;

        @Option(names = "--public-metrics",
            description = "Serve /metrics without a token (by default it needs any user's bearer token).")
        boolean publicMetrics;

        @Option(names = "--webhook-attempts", paramLabel = "N",
            description = "POSTs per webhook delivery before it is FAILED, the first included (1-100, default 8).")
        Integer webhookAttempts;

        @Option(names = "--webhook-backoff", paramLabel = "DURATION",
            description = "Wait before a delivery's 2nd attempt, doubled before each later one (default 1s).")
        String webhookBackoff;

        @Option(names = "--webhook-timeout", paramLabel = "DURATION",
            description = "How long one webhook POST may take, connecting included (default 10s).")
        String webhookTimeout;

        @Option(names = "--webhook-concurrency", paramLabel = "N",
            description = "Webhook POSTs in flight at once (1-64, default 4).")
        Integer webhookConcurrency;

        @Override
        public Integer call() throws Exception
        {
            final Iterator<AgentLinkProvider> providers = ServiceLoader.load(AgentLinkProvider.class).iterator();
            if (!providers.hasNext())
            {
                spec.commandLine().getErr().println("cohort head start: no agent link on the classpath (an "
                    + AgentLinkProvider.class.getName() + " service, provided by the compute-node module)");
                return 2;
            }
            HeadConfig config = HeadConfig.defaults();
            try
            {
                if (killGrace != null)
                {
                    config = config.withKillGrace(Durations.parse("--kill-grace", killGrace));
                }
                final WebhookSettings hooks = config.webhooks();
                config = config.withWebhooks(new WebhookSettings(
                    webhookAttempts == null ? hooks.maxAttempts() : webhookAttempts,
                    webhookBackoff == null ? hooks.firstBackoff()
                        : Durations.parse("--webhook-backoff", webhookBackoff),
                    webhookTimeout == null ? hooks.timeout() : Durations.parse("--webhook-timeout", webhookTimeout),
                    webhookConcurrency == null ? hooks.concurrency() : webhookConcurrency));
                if (packageRetention != null)
                {
                    final Duration retention = "forever".equals(packageRetention) ? null
                        : Durations.parse("--package-retention", packageRetention);
                    if (retention != null && retention.compareTo(HeadConfig.MIN_PACKAGE_RETENTION) < 0)
                    {
                        throw new IllegalArgumentException("--package-retention " + packageRetention + " is shorter "
                            + "than the least, " + Durations.format(HeadConfig.MIN_PACKAGE_RETENTION.toSeconds())
                            + ": a package must outlive the gap between its upload and the "
                            + "submission that names it; give 10m or more, or 'forever'");
                    }
                    config = config.withPackageRetention(retention);
                }
                config = config.withPublicMetrics(publicMetrics);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            if (maxPackageBytes != null)
            {
                if (maxPackageBytes < 1)
                {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--max-package-bytes "
                        + maxPackageBytes + " must be at least 1 (bytes; the default is "
                        + PackageStore.DEFAULT_MAX_BYTES + ")");
                }
                config = config.withMaxPackageBytes(maxPackageBytes);
            }
            final HeadSettings settings = HeadSettings.read(data);
            // The hook goes in before the store opens: a SIGTERM during start-up (a slow migration, a supervisor
            // giving up) waits for the start to end and then closes what it opened, since H2's own exit hook is off.
            final CompletableFuture<HeadServer> started = new CompletableFuture<>();
            final PrintWriter err = spec.commandLine().getErr();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeOnShutdown(started, err),
                "cohort-head-shutdown"));
            final HeadServer server;
            try
            {
                server = HeadServer.start(data, providers.next(), config, null);
                started.complete(server);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                // Errors too: the hook must not wait out START_WAIT for a start that has already failed.
                started.completeExceptionally(ex);
                throw ex;
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.println("Head node serving " + settings.url() + " (port " + server.apiPort() + "); agents connect to "
                + settings.advertiseHost() + ":" + settings.agentPort());
            out.println("Dashboard: " + settings.url() + "/ (log in with a token)");
            out.flush();
            server.awaitClose();
            return 0;
        }

        private static void closeOnShutdown(final CompletableFuture<HeadServer> started, final PrintWriter err)
        {
            final HeadServer server;
            try
            {
                server = started.get(START_WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            catch (final ExecutionException ex)
            {
                return; // the start failed and closed what it had opened
            }
            catch (final TimeoutException ex)
            {
                err.println("cohort head: stopping before the start-up ended (still running after "
                    + START_WAIT.toSeconds() + " s); the store was not closed and is recovered at the next start");
                err.flush();
                return;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            try
            {
                server.close();
                err.println("cohort head: stopped, store closed");
            }
            catch (final IOException ex)
            {
                err.println("cohort head: closing failed: " + ex.getMessage());
            }
            err.flush();
        }
    }
}

package io.cohort.head;

import io.cohort.head.api.ApiServer;
import io.cohort.head.auth.Tokens;
import io.cohort.head.node.AgentLink;
import io.cohort.head.node.AgentLinkContext;
import io.cohort.head.node.AgentLinkProvider;
import io.cohort.head.node.KillSignal;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.service.HeadNode;
import io.cohort.head.store.JobStore;
import io.cohort.head.store.OutputStore;
import io.cohort.head.store.PackageStore;
import io.cohort.head.tls.Certificates;
import io.cohort.head.webhook.WebhookDispatcher;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HexFormat;

/**
 * A running head node: the store, the service, the agent link and the REST API of one data directory, started in
 * that order and closed in reverse. What {@code cohort head start} runs.
 *
 * <pre>{@code
 * try (HeadServer server = HeadServer.start(dataDir, linkProvider, HeadConfig.defaults(), null))
 * {
 *     server.awaitClose();
 * }
 * }</pre>
 */
public final class HeadServer implements AutoCloseable
{
    private final JobStore store;
    private final OutputStore output;
    private final HeadNode head;
    private final AgentLink link;
    private final ApiServer api;
    private final Tokens tokens;
    private final WebhookDispatcher webhooks;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private HeadServer(final JobStore store, final OutputStore output, final HeadNode head, final AgentLink link,
        final ApiServer api, final Tokens tokens, final WebhookDispatcher webhooks)
    {
        this.webhooks = webhooks;
        this.store = store;
        this.output = output;
        this.head = head;
        this.link = link;
        this.api = api;
        this.tokens = tokens;
    }

    /** Forwards to the real link once it exists: the link needs the head node, the head node needs a link. */
    private static final class DeferredLink implements AgentLink
    {
        private volatile AgentLink target;

        @Override
        public void launch(final LaunchOrder order)
        {
            target.launch(order);
        }

        @Override
        public void kill(final String node, final long jobId, final int attempt, final KillSignal signal)
        {
            target.kill(node, jobId, attempt, signal);
        }

        @Override
        public void close()
        {
            if (target != null)
            {
                target.close();
            }
        }
    }

    /**
     * Starts the head node of a data directory made by {@link HeadInit}.
     *
     * @param dataDir  the data directory
     * @param provider makes the agent link
     * @param config   tunables
     * @param api      where the API listens, or null for the port in head.json on every interface
     * @return the running head node
     * @throws IOException if the data directory is not initialised, is in use, or a port cannot be bound
     */
    public static HeadServer start(final Path dataDir, final AgentLinkProvider provider, final HeadConfig config,
        final InetSocketAddress api) throws IOException
    {
        final HeadSettings settings = HeadSettings.read(dataDir);
        final byte[] secret = HexFormat.of().parseHex(Files.readString(dataDir.resolve(HeadInit.SECRET)).strip());
        final SSLContext tls = settings.tls() ? Certificates.serverContext(dataDir.resolve("tls")) : null;
        final JobStore store = JobStore.open(dataDir);
        OutputStore output = null;
        HeadNode head = null;
        final DeferredLink link = new DeferredLink();
        try
        {
            final PackageStore packages = new PackageStore(dataDir);
            output = new OutputStore(dataDir);
            head = new HeadNode(config, store, packages, output, link, InstantSource.system());
            link.target = provider.open(head, new AgentLinkContext(dataDir,
                new InetSocketAddress(settings.agentPort()), secret, tls));
            head.start();
            final Tokens tokens = new Tokens(store);
            final ApiServer server = ApiServer.start(api == null ? new InetSocketAddress(settings.apiPort()) : api,
                head, tokens, packages, config.maxPackageBytes(), tls);
            // Fed from committed events only, on threads of its own: a slow receiver never holds up scheduling.
            final WebhookDispatcher webhooks = WebhookDispatcher.start(store, config.webhooks(),
                server.metrics()::webhookDelivery);
            return new HeadServer(store, output, head, link, server, tokens, webhooks);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            if (head != null)
            {
                head.close();
            }
            link.close();
            if (output != null)
            {
                output.close();
            }
            store.close();
            throw ex;
        }
    }

    /**
     * The API's port.
     *
     * @return the bound port
     */
    public int apiPort()
    {
        return api.port();
    }

    /**
     * The service.
     *
     * @return the head node
     */
    public HeadNode head()
    {
        return head;
    }

    /**
     * The tokens.
     *
     * @return the token service
     */
    public Tokens tokens()
    {
        return tokens;
    }

    /**
     * Waits until {@link #close()} is called (from a shutdown hook, for instance).
     *
     * @throws InterruptedException if interrupted
     */
    public void awaitClose() throws InterruptedException
    {
        closed.await();
    }

    @Override
    public void close() throws IOException
    {
        // In order, each whatever the one before did: the store last and always, since H2's own exit hook is off.
        Exception failure = null;
        try
        {
            for (final AutoCloseable part : new AutoCloseable[] {webhooks, api, head, link::close, output, store})
            {
                try
                {
                    part.close();
                }
                catch (final Exception ex)
                {
                    if (failure == null)
                    {
                        failure = ex;
                    }
                    else
                    {
                        failure.addSuppressed(ex);
                    }
                }
            }
        }
        finally
        {
            closed.countDown();
        }
        if (failure instanceof IOException io)
        {
            throw io;
        }
        if (failure instanceof RuntimeException runtime)
        {
            throw runtime;
        }
        if (failure != null)
        {
            throw new IOException("closing the head node failed", failure);
        }
    }
}

package io.cohort.node.headlink;

import io.cohort.head.job.JobSpec;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.AgentEvents;
import io.cohort.head.node.AgentLink;
import io.cohort.head.node.AgentLinkContext;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.KillSignal;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.node.launch.RankProcesses;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentMessage.AttemptReport;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.Handshake;
import io.cohort.node.protocol.MessageChannel;
import io.cohort.node.protocol.ProtocolException;
import io.cohort.wireup.WireUpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The head node's end of the links to its agents: agents dial it ({@code cohort node start --join}), prove they
 * hold the cluster secret, join and heartbeat; it sends them the attempts to start and the signals to deliver, and
 * hands everything they report to the head node, in the order each agent sent it. Each attempt's address exchange
 * is hosted here; its ranks do not watch it, so they outlive a restart of the head node.
 *
 * <p>Thread-safe: {@link #launch} and {@link #kill} only queue.
 */
public final class AgentLinkServer implements AgentLink
{
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final AgentEvents events;
    private final ClusterSecret secret;
    private final ServerSocket listener;
    private final Map<String, Link> nodes = new ConcurrentHashMap<>();
    private final Map<String, AttemptExchange> exchanges = new ConcurrentHashMap<>();
    /**
     * The threads serving agents and their sockets: closing cuts every socket (handshakes in progress too) and waits
     * for the threads, so none reports to the head node after it.
     */
    private final Map<Thread, Socket> serving = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Starts listening for agents.
     *
     * @param events  where to deliver what agents report
     * @param context the address, the cluster secret and the TLS context
     * @throws IOException if the address cannot be bound
     */
    public AgentLinkServer(final AgentEvents events, final AgentLinkContext context) throws IOException
    {
        this.events = events;
        this.secret = ClusterSecret.of(context.clusterSecret(), context.dataDir().resolve("cluster.secret"));
        this.listener = context.tls() != null ? context.tls().getServerSocketFactory().createServerSocket()
            : new ServerSocket();
        listener.setReuseAddress(true);
        try
        {
            listener.bind(context.listen(), 64);
        }
        catch (final IOException ex)
        {
            listener.close();
            throw new IOException("cannot listen for agents on " + context.listen() + ": " + ex.getMessage(), ex);
        }
        Thread.ofPlatform().name("cohort-head-agents").daemon().start(this::acceptLoop);
    }

    /**
     * The bound port.
     *
     * @return the port agents dial
     */
    public int port()
    {
        return listener.getLocalPort();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket socket = listener.accept();
                final Thread thread = Thread.ofVirtual().name("cohort-head-agent").unstarted(() ->
                {
                    try
                    {
                        serve(socket);
                    }
                    finally
                    {
                        serving.remove(Thread.currentThread());
                    }
                });
                serving.put(thread, socket);
                if (closed)
                {
                    // close() may have gone through the map before this socket was put in it.
                    serving.remove(thread);
                    socket.close();
                    return;
                }
                thread.start();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    System.err.println("cohort head: stopped accepting agents: " + ex.getMessage());
                }
                return;
            }
        }
    }

    private void serve(final Socket socket)
    {
        final MessageChannel channel = new MessageChannel(socket, "agent at " + socket.getRemoteSocketAddress(),
            AgentProtocol.DEFAULT_SILENCE_LIMIT);
        Link link = null;
        try
        {
            final AgentMessage.Join join = handshake(channel);
            // A handshake that ends after close() joins nothing: the head node is stopping.
            if (join == null || closed)
            {
                return;
            }
            final Link connected = nodes.get(join.name());
            if (connected != null && !connected.address.equals(join.address()))
            {
                // Another agent with this name is connected (a dead one's link goes within the silence limit): two
                // agents taking turns under one name would make each look like the other's restart.
                final String reason = "a node named " + join.name() + " is already connected from "
                    + connected.address + "; give the agent at " + join.address() + " another --name";
                System.err.println("cohort head: refused an agent: " + reason);
                channel.send(new AgentMessage.Refused(reason));
                return;
            }
            link = new Link(join.name(), join.address(), channel);
            final Link previous = nodes.put(join.name(), link);
            if (previous != null)
            {
                previous.close();
            }
            link.start();
            events.nodeJoined(join.name(), new NodeCapacity(join.slots(), join.cores(), join.memoryBytes(),
                join.transports()), join.address(), report(join.name(), join.attempts()));
            readLoop(link);
        }
        catch (final ProtocolException ex)
        {
            // A link cut by close() is the head node stopping, not the node being lost.
            if (link != null && nodes.remove(link.name, link) && !closed)
            {
                events.nodeLost(link.name, ex.getMessage());
            }
        }
        finally
        {
            if (link != null)
            {
                link.close();
            }
            channel.close();
        }
    }

    private AgentMessage.Join handshake(final MessageChannel channel)
    {
        try
        {
            Handshake.accept(channel, secret, "head", 0, 0, new Handshake.Refusals()
            {
                @Override
                public String protocol(final int theirs)
                {
                    return "the head node speaks protocol " + AgentProtocol.VERSION + " and the agent " + theirs
                        + ": run the same Cohort version everywhere";
                }

                @Override
                public String wrongSecret()
                {
                    return "wrong cluster secret: use the join.json of this head node";
                }
            });
        }
        catch (final Handshake.Failure ex)
        {
            return null;
        }
        final AgentMessage second = channel.receive();
        if (!(second instanceof AgentMessage.Join join))
        {
            throw new ProtocolException(channel.peer() + " sent " + second.getClass().getSimpleName()
                + " instead of joining");
        }
        return join;
    }

    /** Hands an agent's messages to the head node on this one thread, so they keep the agent's order. */
    private void readLoop(final Link link)
    {
        while (!closed)
        {
            final AgentMessage message = link.channel.receive();
            switch (message)
            {
                case AgentMessage.Heartbeat beat -> events.heartbeat(report(link.name, beat.attempts()));
                case AgentMessage.AttemptStarted started ->
                    events.attemptStarted(link.name, started.jobId(), started.attempt());
                case AgentMessage.AttemptFailed failed ->
                {
                    closeExchange(failed.jobId(), failed.attempt());
                    events.launchFailed(link.name, failed.jobId(), failed.attempt(), failed.reason(),
                        failed.busy());
                }
                case AgentMessage.AttemptOutput output -> events.output(output.jobId(), output.attempt(),
                    output.rank(), (output.line() + "\n").getBytes(StandardCharsets.UTF_8));
                case AgentMessage.AttemptExited exit ->
                {
                    final AttemptExchange exchange = exchanges.get(key(exit.jobId(), exit.attempt()));
                    if (exchange != null)
                    {
                        exchange.rankExited(exit.rank(), exit.code());
                    }
                    events.rankExited(link.name, exit.jobId(), exit.attempt(), exit.rank(), exit.code());
                }
                default ->
                {
                    // Pings keep the link alive.
                }
            }
        }
    }

    private static AgentReport report(final String node, final List<AttemptReport> attempts)
    {
        final List<AgentReport.Running> running = new ArrayList<>();
        for (final AttemptReport attempt : attempts)
        {
            running.add(new AgentReport.Running(attempt.jobId(), attempt.attempt(), attempt.liveRanks(),
                attempt.exited()));
        }
        return new AgentReport(node, running);
    }

    @Override
    public void launch(final LaunchOrder order)
    {
        final Link link = nodes.get(order.node());
        if (link == null)
        {
            Thread.ofVirtual().start(() -> events.launchFailed(order.node(), order.jobId(), order.attempt(),
                "node " + order.node() + " is not connected to the head node", true));
            return;
        }
        // Building the order reads the package: done by the link's writer, never under the head node's lock.
        link.queue(() ->
        {
            try
            {
                final AttemptExchange exchange = exchanges.computeIfAbsent(key(order.jobId(), order.attempt()),
                    k -> new AttemptExchange(order.jobId(), order.attempt(), order.spec().ranks()));
                return new AgentMessage.StartAttempt(order.jobId(), order.attempt(), launchFor(order, link, exchange));
            }
            catch (final IOException | RuntimeException ex)
            {
                closeExchange(order.jobId(), order.attempt());
                Thread.ofVirtual().start(() -> events.launchFailed(order.node(), order.jobId(), order.attempt(),
                    "the head node cannot prepare the launch: " + ex.getMessage(), false));
                return null;
            }
        });
    }

    private static AgentMessage.Launch launchFor(final LaunchOrder order, final Link link,
        final AttemptExchange exchange) throws IOException
    {
        final JobSpec spec = order.spec();
        final List<Integer> ranks = new ArrayList<>();
        for (final RankBlock block : order.local())
        {
            for (int rank = block.firstRank(); rank < block.firstRank() + block.count(); rank++)
            {
                ranks.add(rank);
            }
        }
        final Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.put("COHORT_JOB_HOSTS", Integer.toString(new LinkedHashSet<>(order.gang().stream()
            .map(RankBlock::node).toList()).size()));
        // Ranks outlive a restart of the head node: their agent, not the exchange, decides when they stop.
        env.put("COHORT_WATCH_LAUNCHER", "0");
        final Staging staging = Staging.of(spec.program(), order.packageFile());
        return new AgentMessage.Launch("h" + order.jobId() + "a" + order.attempt(), spec.ranks(), ranks,
            staging.program(), spec.args(), env, spec.jvmOptions(),
            link.channel.socket().getLocalAddress().getHostAddress() + ":" + exchange.server.port(),
            exchange.server.token(), false, staging.files());
    }

    @Override
    public void kill(final String node, final long jobId, final int attempt, final KillSignal signal)
    {
        // Once the head node stops an attempt, its address exchange has no more use.
        closeExchange(jobId, attempt);
        final Link link = nodes.get(node);
        if (link != null)
        {
            link.queue(() -> new AgentMessage.Signal(jobId, attempt, signal == KillSignal.KILL));
        }
    }

    private void closeExchange(final long jobId, final int attempt)
    {
        final AttemptExchange exchange = exchanges.remove(key(jobId, attempt));
        if (exchange != null)
        {
            exchange.server.close();
        }
    }

    private static String key(final long jobId, final int attempt)
    {
        return jobId + "/" + attempt;
    }

    @Override
    public void close()
    {
        closed = true;
        try
        {
            listener.close();
        }
        catch (final IOException ex)
        {
            // Already closed.
        }
        nodes.values().forEach(Link::close);
        exchanges.values().forEach(exchange -> exchange.server.close());
        for (final Socket socket : serving.values())
        {
            try
            {
                socket.close();
            }
            catch (final IOException ex)
            {
                // Already closed.
            }
        }
        // A message read just before the links were cut is still being handed to the head node, whose store closes
        // after this: let it finish (bounded, since a stuck handler must not hold up the stop).
        final long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        for (final Thread thread : serving.keySet())
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0 || thread == Thread.currentThread())
            {
                continue;
            }
            try
            {
                thread.join(Duration.ofNanos(left));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An attempt's address exchange, closed once every rank has ended. */
    private final class AttemptExchange
    {
        private final WireUpServer server;
        private final AtomicInteger ended = new AtomicInteger();
        private final int size;

        AttemptExchange(final long jobId, final int attempt, final int size)
        {
            this.size = size;
            try
            {
                this.server = new WireUpServer(size, RankProcesses.randomHex(16),
                    InetAddress.getByAddress(new byte[4]));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot open an address exchange: " + ex.getMessage(), ex);
            }
            // The cheapest way from rank 0 to the head node: the connection it already keeps to this exchange.
            server.onProgress(report -> events.progress(jobId, attempt, report.done(), report.total(),
                report.message()));
        }

        void rankExited(final int rank, final int code)
        {
            server.rankExited(rank);
            if (code != 0)
            {
                server.abort("rank " + rank + " exited with code " + code);
            }
            if (ended.incrementAndGet() == size)
            {
                exchanges.values().remove(this);
                server.close();
            }
        }
    }

    /** One agent's connection: a writer thread sends what is queued, a pinger keeps the link alive. */
    private static final class Link
    {
        private final String name;
        /** Where the agent takes launch orders (its address and --listen port): the same on a reconnect. */
        private final String address;
        private final MessageChannel channel;
        private final LinkedBlockingQueue<java.util.function.Supplier<AgentMessage>> outbox =
            new LinkedBlockingQueue<>();
        private Thread writer;
        private Thread pinger;

        Link(final String name, final String address, final MessageChannel channel)
        {
            this.name = name;
            this.address = address;
            this.channel = channel;
        }

        void start()
        {
            writer = Thread.ofVirtual().name("cohort-head-writer-" + name).start(this::write);
            pinger = Thread.ofVirtual().name("cohort-head-pinger-" + name).start(() ->
            {
                try
                {
                    while (true)
                    {
                        Thread.sleep(AgentProtocol.PING_INTERVAL.toMillis());
                        queue(AgentMessage.Ping::new);
                    }
                }
                catch (final InterruptedException ex)
                {
                    // The link closed.
                }
            });
        }

        void queue(final java.util.function.Supplier<AgentMessage> message)
        {
            outbox.add(message);
        }

        private void write()
        {
            try
            {
                while (true)
                {
                    final AgentMessage message = outbox.take().get();
                    if (message != null)
                    {
                        channel.send(message);
                    }
                }
            }
            catch (final InterruptedException | ProtocolException ex)
            {
                // The link closed or broke; the reader reports the node lost.
                channel.close();
            }
        }

        void close()
        {
            channel.close();
            if (writer != null)
            {
                writer.interrupt();
                pinger.interrupt();
            }
        }
    }
}

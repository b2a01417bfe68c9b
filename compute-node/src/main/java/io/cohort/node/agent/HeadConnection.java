package io.cohort.node.agent;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentMessage.AttemptReport;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.Handshake;
import io.cohort.node.protocol.MessageChannel;
import io.cohort.node.protocol.ProtocolException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An agent's membership of a head node ({@code cohort node start --join FILE}): it dials the head node, proves it
 * holds the cluster secret, joins with its capacity and what it runs, heartbeats every second, starts and signals
 * the attempts the head node orders, and reports their output and exits. It redials when the link breaks; after
 * {@link #FENCE_AFTER} without the head node it stops the head node's ranks itself, because by then the head node
 * has counted them lost and requeued their jobs elsewhere.
 *
 * <p>Thread-safe.
 */
public final class HeadConnection implements AutoCloseable
{
    /** How long an agent keeps the head node's ranks running without hearing from it. */
    public static final Duration FENCE_AFTER = Duration.ofSeconds(15);

    private static final long REDIAL_MS = 1_000;

    /**
     * How long an ended attempt is kept for the join reports: the head node commits an end only at its next
     * scheduling pass, so a head node that died just after a report must hear it again when it is back (within its
     * 30 s of reconciliation), or it would count the attempt lost and run it again. A heartbeat carries an end once:
     * the head node that received it and lives on has it; one that died gets it again in the join after its restart.
     * (Carrying every end of the last two minutes in every heartbeat made each one list thousands of attempts at a
     * few hundred jobs a second, and halved the completed jobs a second.)
     */
    private static final long REPORT_ENDED_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    /** Output lines kept per attempt while the head node is unreachable. */
    private static final int HELD_OUTPUT_LINES = 10_000;

    private final Agent agent;
    private final JoinFile join;
    private final Duration heartbeatInterval;
    private final Map<String, HeadAttempt> attempts = new ConcurrentHashMap<>();
    /**
     * Held while a report is made and sent, and while an attempt's start or a rank's exit is sent: the head node
     * counts an attempt it was told had started, but that a later report does not list, as lost, so a report made
     * before a start must not reach it after the start (it did, on a busy agent: a heartbeat thread made its report,
     * another thread started an attempt and said so, and the report followed, without it; the head node requeued
     * that attempt as lost, after the 25 s fence).
     */
    private final Object reportOrder = new Object();
    /** Runs between making a report and sending it: tests widen that window with a pause. */
    volatile Runnable betweenReportAndSend = () ->
    {
    };
    private final Thread dialer;
    private volatile MessageChannel channel;
    /** Set once the head node has answered the join with something other than a refusal; cleared when the link goes. */
    private volatile boolean accepted;
    private volatile long disconnectedSince = System.nanoTime();
    private volatile boolean closed;
    /** The last reason the head node could not be joined, logged once until it changes or a join succeeds. */
    private String lastProblem;

    /**
     * Starts dialing the head node.
     *
     * @param agent the agent whose slots the head node's attempts use
     * @param join  the head node's address and the cluster secret
     */
    public HeadConnection(final Agent agent, final JoinFile join)
    {
        this(agent, join, AgentProtocol.PING_INTERVAL);
    }

    /**
     * Starts dialing the head node, with another heartbeat interval (tests).
     *
     * @param agent             the agent whose slots the head node's attempts use
     * @param join              the head node's address and the cluster secret
     * @param heartbeatInterval the time between two heartbeats
     */
    HeadConnection(final Agent agent, final JoinFile join, final Duration heartbeatInterval)
    {
        this.agent = agent;
        this.join = join;
        this.heartbeatInterval = heartbeatInterval;
        this.dialer = Thread.ofVirtual().name("cohort-agent-head").start(this::dialLoop);
    }

    /**
     * Whether the agent is joined right now: the head node has answered its join with something other than a
     * refusal, and the link is still up. (Sending the join is not enough: another agent of the same name whose join
     * the head node reads first takes the place.)
     *
     * @return true while the head node has this agent as a node
     */
    public boolean joined()
    {
        return accepted;
    }

    private void dialLoop()
    {
        while (!closed)
        {
            try
            {
                serve(dial());
            }
            catch (final ProtocolException | IOException ex)
            {
                final String problem = ex.getMessage();
                if (!problem.equals(lastProblem) && !closed)
                {
                    agent.log("head node " + join.head() + ":" + join.agentPort() + ": " + problem
                        + "; retrying every second");
                }
                lastProblem = problem;
            }
            fenceIfAlone();
            sleep(REDIAL_MS);
        }
    }

    private MessageChannel dial() throws IOException
    {
        final Socket socket = join.tls() != null ? join.tls().getSocketFactory().createSocket() : new Socket();
        try
        {
            socket.connect(new InetSocketAddress(join.head(), join.agentPort()), 5_000);
            if (socket instanceof SSLSocket secure)
            {
                final SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.startHandshake();
            }
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
        final MessageChannel link = new MessageChannel(socket, "the head node at " + join.head() + ":"
            + join.agentPort(), AgentProtocol.DEFAULT_SILENCE_LIMIT);
        try
        {
            handshake(link);
        }
        catch (final ProtocolException ex)
        {
            link.close();
            throw ex;
        }
        return link;
    }

    private void handshake(final MessageChannel link)
    {
        try
        {
            Handshake.dial(link, join.secret());
        }
        catch (final Handshake.Failure ex)
        {
            throw new ProtocolException(switch (ex.reason())
            {
                case NOT_COHORT -> link.peer() + " is not a Cohort head node";
                case PROTOCOL -> link.peer() + " speaks protocol " + ex.peerProtocol() + " and this agent "
                    + AgentProtocol.VERSION + ": run the same Cohort version everywhere";
                case REFUSED -> link.peer() + " refused this agent: " + ex.detail();
                case WRONG_SECRET -> link.peer() + " does not hold the cluster secret of " + join.file();
            }, ex);
        }
    }

    private void serve(final MessageChannel link)
    {
        final long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory
            .getOperatingSystemMXBean()).getTotalMemorySize();
        final InetSocketAddress listen = agent.address();
        final String address = link.socket().getLocalAddress().getHostAddress() + ":" + listen.getPort();
        // Taken before the report, which forgets the attempts whose end it carries: their held output still goes.
        final List<HeadAttempt> known = new ArrayList<>(attempts.values());
        sendReport(link, true, memory, address);
        channel = link;
        for (final HeadAttempt attempt : known)
        {
            attempt.flushHeld(link);
        }
        disconnectedSince = 0;
        final Thread heartbeat = Thread.ofVirtual().name("cohort-agent-heartbeat").start(() -> heartbeat(link));
        boolean announced = false;
        try
        {
            while (!closed)
            {
                final AgentMessage message = link.receive();
                if (!announced && !(message instanceof AgentMessage.Refused))
                {
                    // Said once the head node has answered the join with something other than a refusal.
                    announced = true;
                    accepted = true;
                    lastProblem = null;
                    agent.log("joined the head node at " + join.head() + ":" + join.agentPort());
                }
                switch (message)
                {
                    case AgentMessage.StartAttempt order ->
                        Thread.ofVirtual().name("cohort-agent-start").start(() -> start(link, order));
                    case AgentMessage.Refused refused ->
                        throw new ProtocolException("the head node refused this agent: " + refused.reason());
                    case AgentMessage.Signal signal ->
                    {
                        final HeadAttempt attempt = attempts.get(key(signal.jobId(), signal.attempt()));
                        if (attempt != null)
                        {
                            attempt.group.signal(signal.kill());
                        }
                    }
                    default ->
                    {
                        // Pings keep the link alive.
                    }
                }
            }
        }
        finally
        {
            accepted = false;
            channel = null;
            disconnectedSince = System.nanoTime();
            heartbeat.interrupt();
            link.close();
            if (!closed)
            {
                agent.log("lost the head node at " + join.head() + ":" + join.agentPort() + "; redialing");
            }
        }
    }

    private void heartbeat(final MessageChannel link)
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                Thread.sleep(heartbeatInterval.toMillis());
                sendReport(link, false, 0, null);
            }
        }
        catch (final InterruptedException | ProtocolException ex)
        {
            // The link is gone; the dialer notices and redials.
        }
    }

    /**
     * Sends a join or a heartbeat. A join lists every attempt, ended ones of the last two minutes too; a heartbeat
     * lists the running ones and each end once. Attempts that ended more than two minutes ago are forgotten.
     */
    private void sendReport(final MessageChannel link, final boolean joining, final long memory, final String address)
    {
        synchronized (reportOrder)
        {
            final List<String> ended = new ArrayList<>();
            final List<AttemptReport> report = new ArrayList<>();
            final long now = System.nanoTime();
            for (final Map.Entry<String, HeadAttempt> entry : attempts.entrySet())
            {
                final HeadAttempt attempt = entry.getValue();
                if (attempt.ended && now - attempt.endedAt > REPORT_ENDED_NANOS)
                {
                    ended.add(entry.getKey());
                    continue;
                }
                if (attempt.ended && !joining)
                {
                    if (attempt.endHeartbeated)
                    {
                        continue;
                    }
                    attempt.endHeartbeated = true;
                }
                report.add(new AttemptReport(attempt.jobId, attempt.attempt, attempt.group.liveRanks(),
                    attempt.group.exitCodes()));
            }
            betweenReportAndSend.run();
            link.send(joining
                ? new AgentMessage.Join(agent.config().name(), agent.config().slots(),
                    Runtime.getRuntime().availableProcessors(), memory, List.of("shm", "tcp"), address, report)
                : new AgentMessage.Heartbeat(report));
            ended.forEach(attempts::remove);
        }
    }

    private void start(final MessageChannel link, final AgentMessage.StartAttempt order)
    {
        final String key = key(order.jobId(), order.attempt());
        if (attempts.containsKey(key))
        {
            return;
        }
        final int slots = order.launch().ranks().size();
        if (!agent.reserve(slots))
        {
            trySend(link, new AgentMessage.AttemptFailed(order.jobId(), order.attempt(), "agent "
                + agent.config().name() + " has " + agent.freeSlots() + " free slots and the attempt needs "
                + slots, true));
            return;
        }
        final HeadAttempt attempt = new HeadAttempt(order.jobId(), order.attempt(), slots);
        attempt.group = new RankGroup(agent, order.launch(), link.socket().getLocalAddress().getHostAddress(),
            attempt);
        attempts.put(key, attempt);
        try
        {
            attempt.group.start();
        }
        catch (final IOException | LaunchException | IllegalArgumentException ex)
        {
            attempts.remove(key);
            attempt.group.cleanUp();
            agent.release(slots);
            trySend(link, new AgentMessage.AttemptFailed(order.jobId(), order.attempt(), "agent "
                + agent.config().name() + " cannot start ranks " + order.launch().ranks() + ": " + ex.getMessage(),
                false));
            return;
        }
        agent.log("job " + order.jobId() + " attempt " + order.attempt() + ": started ranks "
            + order.launch().ranks() + " in " + attempt.group.workdir());
        synchronized (reportOrder)
        {
            trySend(link, new AgentMessage.AttemptStarted(order.jobId(), order.attempt()));
        }
        Thread.ofVirtual().name("cohort-agent-attempt").start(() -> finishWhenDone(attempt));
    }

    private void finishWhenDone(final HeadAttempt attempt)
    {
        try
        {
            attempt.group.awaitEnd();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            attempt.group.stop();
        }
        attempt.group.cleanUp();
        attempt.releaseSlots();
        agent.log("job " + attempt.jobId + " attempt " + attempt.attempt + ": every rank has ended");
        // Reported in the next heartbeat, and in any join of the next two minutes, then forgotten.
        attempt.endedAt = System.nanoTime();
        attempt.ended = true;
    }

    private void fenceIfAlone()
    {
        final long since = disconnectedSince;
        if (since == 0 || System.nanoTime() - since < FENCE_AFTER.toNanos())
        {
            return;
        }
        for (final HeadAttempt attempt : attempts.values())
        {
            if (!attempt.ended && !attempt.fenced)
            {
                attempt.fenced = true;
                agent.log("job " + attempt.jobId + " attempt " + attempt.attempt + ": no head node for "
                    + FENCE_AFTER.toSeconds() + " s; stopping its ranks (the head node has requeued them)");
                Thread.ofVirtual().start(attempt.group::stop);
            }
        }
    }

    private void trySend(final MessageChannel link, final AgentMessage message)
    {
        try
        {
            link.send(message);
        }
        catch (final ProtocolException ex)
        {
            // The link broke; what matters is in the next join's report.
        }
    }

    private static String key(final long jobId, final int attempt)
    {
        return jobId + "/" + attempt;
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops dialing; the head node's ranks keep running (a restarted agent does not adopt them). Idempotent. */
    @Override
    public void close()
    {
        closed = true;
        final MessageChannel link = channel;
        if (link != null)
        {
            link.close();
        }
        dialer.interrupt();
        for (final HeadAttempt attempt : attempts.values())
        {
            attempt.group.stop();
        }
    }

    /** One attempt's ranks on this agent, and what is told about them. */
    private final class HeadAttempt implements RankGroup.Listener
    {
        private final long jobId;
        private final int attempt;
        private final int slots;
        private RankGroup group;
        private volatile boolean ended;
        /** When every rank had ended (System.nanoTime), written before {@link #ended}. */
        private volatile long endedAt;
        /**
         * A heartbeat has carried the end. Only heartbeat threads use it, one per link; a stale read by the next
         * link's thread at worst reports the end twice, which the head node ignores.
         */
        private boolean endHeartbeated;
        private volatile boolean fenced;
        private final AtomicBoolean released = new AtomicBoolean();
        private final java.util.ArrayDeque<AgentMessage.AttemptOutput> held = new java.util.ArrayDeque<>();
        private long droppedLines;

        HeadAttempt(final long jobId, final int attempt, final int slots)
        {
            this.jobId = jobId;
            this.attempt = attempt;
            this.slots = slots;
        }

        @Override
        public void output(final int rank, final boolean stderr, final String line)
        {
            final AgentMessage.AttemptOutput message = new AgentMessage.AttemptOutput(jobId, attempt, rank, stderr,
                line);
            synchronized (this)
            {
                final MessageChannel link = channel;
                if (link != null && held.isEmpty())
                {
                    trySend(link, message);
                }
                else if (held.size() < HELD_OUTPUT_LINES)
                {
                    // Kept while the head node is away, and sent once the agent has joined again.
                    held.addLast(message);
                }
                else
                {
                    droppedLines++;
                }
            }
        }

        /** Sends the output kept while the head node was away. */
        synchronized void flushHeld(final MessageChannel link)
        {
            while (!held.isEmpty())
            {
                link.send(held.peekFirst());
                held.removeFirst();
            }
            if (droppedLines > 0)
            {
                link.send(new AgentMessage.AttemptOutput(jobId, attempt, 0, true, "cohort node "
                    + agent.config().name() + ": " + droppedLines + " lines of output were lost while the head "
                    + "node was unreachable"));
                droppedLines = 0;
            }
        }

        /** Gives the slots back once; before the last exit is told, so the head never sees them still taken. */
        void releaseSlots()
        {
            if (released.compareAndSet(false, true))
            {
                agent.release(slots);
            }
        }

        @Override
        public void exited(final int rank, final int code)
        {
            if (group.liveRanks().isEmpty())
            {
                releaseSlots();
            }
            final MessageChannel link = channel;
            if (link != null)
            {
                synchronized (reportOrder)
                {
                    trySend(link, new AgentMessage.AttemptExited(jobId, attempt, rank, code));
                }
            }
        }
    }
}

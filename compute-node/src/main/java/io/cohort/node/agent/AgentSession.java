package io.cohort.node.agent;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentMessage.Launch;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.Handshake;
import io.cohort.node.protocol.MessageChannel;
import io.cohort.node.protocol.ProtocolException;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One launcher's connection to the agent, carrying one job: the handshake, the launch, the ranks' output and
 * exits, and the clean-up. Whatever ends the session (the job finishing, a Kill, the launcher vanishing, the agent
 * shutting down), every rank is stopped and the job's files are removed before the slots are given back.
 *
 * <p>Thread-safe: its methods are called from the session's thread, its reader, and the agent's shutdown.
 */
final class AgentSession
{
    private final Agent agent;
    private final Socket socket;
    private final MessageChannel channel;
    private volatile RankGroup group;
    /** Pings the launcher from the launch order on, so it never waits in silence while ranks are staged. */
    private Thread pinger;
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private volatile boolean running;
    private String jobId = "?";

    AgentSession(final Agent agent, final Socket socket)
    {
        this.agent = agent;
        this.socket = socket;
        this.channel = new MessageChannel(socket, "launcher at " + socket.getRemoteSocketAddress(),
            agent.config().silenceLimit());
    }

    boolean running()
    {
        return running;
    }

    void run()
    {
        int reserved = 0;
        Launch launch = null;
        boolean finished = false;
        try
        {
            if (!handshake())
            {
                return;
            }
            launch = awaitLaunch();
            if (launch == null)
            {
                return;
            }
            jobId = launch.jobId();
            final String refusal = check(launch);
            if (refusal != null)
            {
                channel.send(new AgentMessage.LaunchFailed(refusal));
                return;
            }
            reserved = launch.ranks().size();
            // Pings from now on: staging a big program and starting the ranks may take longer than the launcher
            // waits in silence.
            pinger = Thread.ofVirtual().name("cohort-agent-pinger").start(this::ping);
            group = new RankGroup(agent, launch, socket.getLocalAddress().getHostAddress(), new Relay());
            try
            {
                group.start();
            }
            catch (final IOException | LaunchException | IllegalArgumentException ex)
            {
                channel.send(new AgentMessage.LaunchFailed("agent " + agent.config().name() + " cannot start ranks "
                    + launch.ranks() + ": " + ex.getMessage()));
                return;
            }
            catch (final RuntimeException ex)
            {
                // Unexpected, but the launcher still hears why rather than only that the agent went away.
                agent.log("job " + jobId + ": starting ranks failed: " + ex);
                channel.send(new AgentMessage.LaunchFailed("agent " + agent.config().name() + " cannot start ranks "
                    + launch.ranks() + ": " + ex));
                return;
            }
            running = true;
            agent.log("job " + jobId + ": started ranks " + launch.ranks() + " in " + group.workdir());
            channel.send(new AgentMessage.Launched(group.workdir()));
            superviseUntilEnd();
            finished = true;
        }
        catch (final ProtocolException ex)
        {
            agent.log("job " + jobId + ": " + ex.getMessage() + "; stopping its ranks");
        }
        finally
        {
            running = false;
            if (pinger != null)
            {
                pinger.interrupt();
            }
            if (group != null)
            {
                group.stop();
                group.cleanUp();
            }
            if (reserved > 0)
            {
                agent.release(reserved);
            }
            if (finished)
            {
                sendDone();
            }
            channel.close();
            cleanedUp.countDown();
        }
    }

    /** Relays the ranks' output and exits to the launcher; a launcher gone stops the ranks. */
    private final class Relay implements RankGroup.Listener
    {
        @Override
        public void output(final int rank, final boolean stderr, final String line)
        {
            channel.send(new AgentMessage.Output(rank, stderr, line));
        }

        @Override
        public void exited(final int rank, final int code)
        {
            try
            {
                channel.send(new AgentMessage.Exited(rank, code));
            }
            catch (final ProtocolException ex)
            {
                stop("lost the launcher: " + ex.getMessage());
            }
        }
    }

    private boolean handshake()
    {
        final String name = agent.config().name();
        try
        {
            Handshake.accept(channel, agent.config().secret(), name, agent.config().slots(), agent.freeSlots(),
                new Handshake.Refusals()
                {
                    @Override
                    public String protocol(final int theirs)
                    {
                        return "agent " + name + " speaks protocol " + AgentProtocol.VERSION + " and the launcher "
                            + theirs + ": run the same Cohort version on every host";
                    }

                    @Override
                    public String wrongSecret()
                    {
                        return "wrong cluster secret: agent " + name + " uses another secret file; copy the one from "
                            + "'cohort secret' to every host";
                    }
                });
            return true;
        }
        catch (final Handshake.Failure ex)
        {
            switch (ex.reason())
            {
                case PROTOCOL -> agent.log("refused a launcher of protocol " + ex.peerProtocol() + " from "
                    + socket.getRemoteSocketAddress());
                case WRONG_SECRET -> agent.log("refused a launcher with a wrong secret from "
                    + socket.getRemoteSocketAddress());
                default ->
                {
                    // Not a launcher at all: nothing worth a line in the log.
                }
            }
            return false;
        }
    }

    private Launch awaitLaunch()
    {
        while (true)
        {
            final AgentMessage message = channel.receive();
            switch (message)
            {
                case Launch launch ->
                {
                    return launch;
                }
                case AgentMessage.Ping ping ->
                {
                    // Keeps the link alive while the launcher reaches its other agents.
                }
                case AgentMessage.Kill kill ->
                {
                    return null;
                }
                default -> throw new ProtocolException("the launcher sent " + message.getClass().getSimpleName()
                    + " before a launch order");
            }
        }
    }

    /** Returns why the order cannot be carried out, or null; reserves the slots when it can. */
    private String check(final Launch launch)
    {
        if (launch.ranks().isEmpty())
        {
            return "the order names no rank";
        }
        for (final int rank : launch.ranks())
        {
            if (rank < 0 || rank >= launch.size())
            {
                return "rank " + rank + " is outside the job of " + launch.size() + " ranks";
            }
        }
        if (!agent.reserve(launch.ranks().size()))
        {
            return "agent " + agent.config().name() + " has " + agent.freeSlots() + " free slots of "
                + agent.config().slots() + " and the order asks for " + launch.ranks().size()
                + " (other jobs run there)";
        }
        return null;
    }

    private void superviseUntilEnd()
    {
        Thread.ofVirtual().name("cohort-agent-reader").start(this::readOrders);
        try
        {
            group.awaitEnd();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        running = false;
        pinger.interrupt();
        agent.log("job " + jobId + ": every rank has ended");
    }

    private void sendDone()
    {
        try
        {
            channel.send(new AgentMessage.Done());
        }
        catch (final ProtocolException ex)
        {
            // The launcher is gone; the job is over either way.
        }
    }

    private void readOrders()
    {
        try
        {
            while (true)
            {
                final AgentMessage message = channel.receive();
                if (message instanceof AgentMessage.Kill kill)
                {
                    stop("the launcher asked: " + kill.reason());
                }
            }
        }
        catch (final ProtocolException ex)
        {
            if (running)
            {
                stop(ex.getMessage());
            }
        }
    }

    private void ping()
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                Thread.sleep(AgentProtocol.PING_INTERVAL.toMillis());
                channel.send(new AgentMessage.Ping());
            }
        }
        catch (final InterruptedException | ProtocolException ex)
        {
            // The session ended, or the launcher is gone (the reader notices and stops the ranks).
        }
    }

    /** Stops the job's ranks; the session then reports their exits and cleans up. */
    void stop(final String reason)
    {
        if (running)
        {
            agent.log("job " + jobId + ": stopping its ranks (" + reason + ")");
        }
        final RankGroup ranks = group;
        if (ranks != null)
        {
            ranks.stop();
        }
    }

    void awaitCleanup()
    {
        try
        {
            cleanedUp.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

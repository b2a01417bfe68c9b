package io.cohort.cli;

import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.service.HeadConfig;
import io.cohort.node.agent.Agent;
import io.cohort.node.agent.AgentConfig;
import io.cohort.node.agent.HeadConnection;
import io.cohort.node.agent.JoinFile;
import io.cohort.node.headlink.AgentLinkProviderImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node names on a head node: one agent per name, so two agents never take turns as one node. */
class AgentNameTest
{
    @TempDir
    private Path dir;

    private static boolean within(final long seconds, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void secondAgentWithANameAlreadyConnectedIsRefusedNamingBothUntilTheFirstLeaves() throws Exception
    {
        final Path data = dir.resolve("head");
        HeadInit.init(data, "127.0.0.1:" + FreePorts.pair(), false);
        try (HeadServer server = HeadServer.start(data, new AgentLinkProviderImpl(), HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0)))
        {
            final JoinFile join = JoinFile.read(data.resolve("join.json"));
            final ByteArrayOutputStream secondLog = new ByteArrayOutputStream();
            try (Agent first = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), 1, "n1",
                    join.secret(), dir.resolve("work-1"), Duration.ofSeconds(5)),
                    new PrintStream(new ByteArrayOutputStream()));
                Agent second = new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), 1, "n1",
                    join.secret(), dir.resolve("work-2"), Duration.ofSeconds(5)),
                    new PrintStream(secondLog, true, StandardCharsets.UTF_8)))
            {
                final HeadConnection firstLink = new HeadConnection(first, join);
                assertTrue(within(30, firstLink::joined), "the first agent joins");
                try (HeadConnection secondLink = new HeadConnection(second, join))
                {
                    final String expected = "refused this agent: a node named n1 is already connected from 127.0.0.1:"
                        + first.address().getPort() + "; give the agent at 127.0.0.1:" + second.address().getPort()
                        + " another --name";
                    assertTrue(within(30, () -> secondLog.toString(StandardCharsets.UTF_8).contains(expected)),
                        secondLog.toString(StandardCharsets.UTF_8));
                    assertFalse(secondLog.toString(StandardCharsets.UTF_8).contains("joined the head node"),
                        secondLog.toString(StandardCharsets.UTF_8));
                    assertTrue(firstLink.joined(), "the first agent keeps its place");
                    firstLink.close();
                    assertTrue(within(30, () -> secondLog.toString(StandardCharsets.UTF_8)
                        .contains("joined the head node")), secondLog.toString(StandardCharsets.UTF_8));
                }
            }
        }
    }
}

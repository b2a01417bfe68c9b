package io.cohort.head.testing;

import io.cohort.head.HeadServer;
import io.cohort.head.node.AgentLink;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.KillSignal;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A head node in its own JVM for the SIGKILL tests: one fake node of 64 slots whose ranks start at once and never
 * end. Writes the API port to the file named by the second argument once it serves.
 */
public final class HeadProcess
{
    private HeadProcess()
    {
    }

    /**
     * Runs until killed.
     *
     * @param args data directory, port file
     * @throws Exception if the head node cannot start
     */
    public static void main(final String[] args) throws Exception
    {
        final Path data = Path.of(args[0]);
        final HeadServer[] server = new HeadServer[1];
        final AgentLink link = new AgentLink()
        {
            @Override
            public void launch(final LaunchOrder order)
            {
                Thread.ofVirtual().start(() -> server[0].head().attemptStarted(order.node(), order.jobId(),
                    order.attempt()));
            }

            @Override
            public void kill(final String node, final long jobId, final int attempt, final KillSignal signal)
            {
                // The ranks of this fake node never end.
            }
        };
        server[0] = HeadServer.start(data, (events, context) -> link, HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0));
        server[0].head().nodeJoined("n1", new NodeCapacity(64, 64, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        final Path portFile = Path.of(args[1]);
        Files.writeString(Path.of(args[1] + ".tmp"), Integer.toString(server[0].apiPort()));
        Files.move(Path.of(args[1] + ".tmp"), portFile);
        server[0].awaitClose();
    }
}

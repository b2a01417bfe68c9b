package io.cohort.head.api;

import io.cohort.head.HeadInit;
import io.cohort.head.HeadServer;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.store.Event;
import io.cohort.head.testing.FakeAgents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventFeedTest
{
    @TempDir
    Path data;

    private HeadServer server;

    @BeforeEach
    void start() throws Exception
    {
        HeadInit.init(data, "localhost:9000", false);
        server = HeadServer.start(data, (events, context) -> new FakeAgents(), HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
    }

    private long lastSeq()
    {
        final List<Event> all = server.head().events(0, null, 1000);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
    }

    @Test
    void theEndOfAnEmptyLogIsZero()
    {
        assertEquals(0, EventFeed.endOfLog(server.head()));
    }

    @Test
    void theEndOfTheLogIsTheLastSequenceNumberWhateverTheLength() throws Exception
    {
        server.head().nodeJoined("n1", new NodeCapacity(4, 4, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
        assertEquals(lastSeq(), EventFeed.endOfLog(server.head()));
        for (int i = 0; i < 37; i++)
        {
            server.head().setDrained("n1", i % 2 == 0);
            assertEquals(lastSeq(), EventFeed.endOfLog(server.head()), "after " + (i + 2) + " events");
        }
    }
}

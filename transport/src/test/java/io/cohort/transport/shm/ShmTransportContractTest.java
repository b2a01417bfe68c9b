package io.cohort.transport.shm;

import io.cohort.transport.InMemoryExchange;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportContractTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared-memory provider passes the transport contract, and leaves no file behind. */
class ShmTransportContractTest extends TransportContractTest
{
    private static final AtomicInteger JOBS = new AtomicInteger();
    private static final ShmConfig CONFIG = ShmConfig.withRingCapacity(256 * 1024);

    private String jobId;

    @Override
    protected Transport[] create(final int size)
    {
        jobId = "contract" + ProcessHandle.current().pid() + "x" + JOBS.incrementAndGet();
        final Transport[] transports = new Transport[size];
        for (int rank = 0; rank < size; rank++)
        {
            transports[rank] = new ShmTransport(CONFIG, jobId, rank, size);
        }
        return transports;
    }

    private long filesOfJob() throws IOException
    {
        try (Stream<Path> files = Files.list(CONFIG.directory()))
        {
            return files.filter(p -> p.getFileName().toString().startsWith(ShmLayout.jobPrefix(jobId))).count();
        }
    }

    @Test
    void inboundFilesAreUnlinkedOnceEveryRankIsConnected() throws IOException
    {
        final Transport[] transports = create(3);
        assertEquals(3, filesOfJob());
        final io.cohort.transport.AddressExchange exchange = new InMemoryExchange(1);
        for (final Transport t : transports)
        {
            t.publish(exchange);
        }
        for (int rank = 0; rank < 3; rank++)
        {
            for (int peer = 0; peer < 3; peer++)
            {
                if (peer != rank)
                {
                    assertTrue(transports[rank].connect(peer, exchange));
                }
            }
        }
        for (final Transport t : transports)
        {
            t.connected();
        }
        assertEquals(0, filesOfJob());
        transports[0].allocateRegistered(4096);
        assertEquals(1, filesOfJob());
        for (final Transport t : transports)
        {
            t.close();
        }
        assertEquals(0, filesOfJob());
    }

    @Test
    void ringCapacityThatIsNotAPowerOfTwoIsRejectedWithTheValue()
    {
        final RuntimeException ex = assertThrows(RuntimeException.class,
            () -> ShmConfig.withRingCapacity(100_000));
        assertTrue(ex.getMessage().contains("100000"), ex.getMessage());
    }

    @Test
    void peerOnAnotherHostIsNotReachable()
    {
        final Transport[] transports = create(2);
        final InMemoryExchange exchange = new InMemoryExchange(1);
        transports[0].publish(exchange);
        exchange.put("shm.1", "another-host/net:[1] /dev/shm/none");
        assertEquals(false, transports[0].connect(1, exchange));
        for (final Transport t : transports)
        {
            t.close();
        }
    }
}

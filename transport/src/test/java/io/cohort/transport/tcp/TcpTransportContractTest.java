package io.cohort.transport.tcp;

import io.cohort.transport.Transport;
import io.cohort.transport.TransportContractTest;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP provider (over epoll where available) passes the transport contract, all ranks on the loopback address,
 * driven by the test's thread (which therefore owns every rank's event loop).
 */
class TcpTransportContractTest extends TransportContractTest
{
    private static final AtomicInteger JOBS = new AtomicInteger();

    @Override
    protected Transport[] create(final int size)
    {
        final String jobId = "tcp-contract-" + JOBS.incrementAndGet();
        final Transport[] transports = new Transport[size];
        for (int rank = 0; rank < size; rank++)
        {
            transports[rank] = new TcpTransport(TcpConfig.loopback(), jobId, rank, size);
        }
        return transports;
    }

    @Override
    protected boolean mapsPeerMemory()
    {
        return false;
    }
}

package io.cohort.transport.tcp;

import io.cohort.transport.Transport;
import io.cohort.transport.TransportContractTest;

import java.util.concurrent.atomic.AtomicInteger;

/** The TCP provider over Java's NIO selector, the fallback where Netty's epoll is unavailable, passes the contract. */
class TcpNioTransportContractTest extends TransportContractTest
{
    private static final AtomicInteger JOBS = new AtomicInteger();

    @Override
    protected Transport[] create(final int size)
    {
        final String jobId = "tcp-nio-contract-" + JOBS.incrementAndGet();
        final Transport[] transports = new Transport[size];
        for (int rank = 0; rank < size; rank++)
        {
            transports[rank] = new TcpTransport(TcpConfig.loopback(), jobId, rank, size, false);
        }
        return transports;
    }

    @Override
    protected boolean mapsPeerMemory()
    {
        return false;
    }
}

package io.cohort.benchmarks.jmh;

import io.cohort.transport.FrameHandler;
import io.cohort.transport.InMemoryExchange;
import io.cohort.transport.Transport;
import io.cohort.transport.tcp.TcpConfig;
import io.cohort.transport.tcp.TcpTransport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Ping-pong of one frame over the TCP transport on the loopback address, below the message-passing layer: the
 * provider's own latency (Netty's manual event loop busy-polled by each rank's thread, one write and one read per
 * frame). Rank 0 is the benchmark thread; rank 1 is an echo thread started in setup that owns its transport, as
 * in {@link ShmPingPongBenchmark}. The score is one round trip; one-way latency is half of it.
 *
 * <p>Run: {@code java -cp 'cli/target/lib/*' org.openjdk.jmh.Main TcpPingPong}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class TcpPingPongBenchmark
{
    private static final int TYPE = 1;
    /** Empty polls before a waiting thread yields its core, as the engine's wait policy does on a busy host. */
    private static final int SPINS_BEFORE_YIELD = 2_000;

    @Param({"8", "1024", "16384"})
    int size;

    private TcpTransport ping;
    private TcpTransport pong;
    private volatile boolean running;
    private Thread echo;
    private long sequence;
    private long echoed;
    private final FrameHandler onEcho = (peer, type, buf, off, len) -> echoed = buf.get(ValueLayout.JAVA_LONG, off);

    /** Wires the two ranks up and starts rank 1's echo thread, which becomes the owner of its transport. */
    @Setup(Level.Trial)
    public void start()
    {
        final InMemoryExchange exchange = new InMemoryExchange(1);
        ping = new TcpTransport(TcpConfig.loopback(), "jmh-tcp", 0, 2);
        pong = new TcpTransport(TcpConfig.loopback(), "jmh-tcp", 1, 2);
        ping.publish(exchange);
        pong.publish(exchange);
        ping.connect(1, exchange);
        pong.connect(0, exchange);
        running = true;
        echo = Thread.ofPlatform().name("rank-1-echo").start(() ->
        {
            final FrameHandler bounce = (peer, type, buf, off, len) ->
            {
                int at;
                while ((at = pong.tryClaim(0, type, len)) == Transport.BACK_PRESSURED)
                {
                    Thread.onSpinWait();
                }
                MemorySegment.copy(buf, off, pong.frameBuffer(0), at, len);
                pong.commit(0, at);
            };
            int idle = 0;
            while (running)
            {
                idle = pong.poll(bounce, 16) > 0 ? 0 : backOff(idle);
            }
            pong.close();
        });
    }

    /** Stops the echo thread and closes both ranks. */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException
    {
        running = false;
        echo.join();
        ping.close();
    }

    /**
     * One round trip: rank 0 sends a frame, rank 1 echoes it, rank 0 receives it.
     *
     * @return the echoed sequence number, so the work cannot be optimised away
     */
    @Benchmark
    public long roundTrip()
    {
        final long expected = ++sequence;
        int at;
        while ((at = ping.tryClaim(1, TYPE, size)) == Transport.BACK_PRESSURED)
        {
            ping.poll(onEcho, 16);
        }
        ping.frameBuffer(1).set(ValueLayout.JAVA_LONG, at, expected);
        ping.commit(1, at);
        int idle = 0;
        while (echoed != expected)
        {
            idle = ping.poll(onEcho, 16) > 0 ? 0 : backOff(idle);
        }
        return echoed;
    }

    private static int backOff(final int idle)
    {
        if (idle >= SPINS_BEFORE_YIELD)
        {
            Thread.yield();
        }
        return idle + 1;
    }
}

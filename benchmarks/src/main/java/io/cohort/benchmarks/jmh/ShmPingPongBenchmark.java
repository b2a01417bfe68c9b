package io.cohort.benchmarks.jmh;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.InProcessJob;
import io.cohort.mpi.Request;
import io.cohort.mpi.Status;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ping-pong over the shared-memory transport, for sizes from 8 B to 4 MiB and each kind of buffer (Agrona's
 * benchmark style: {@code @Param} over buffer kinds). Rank 0 is the benchmark thread; rank 1 is an echo thread
 * started in setup (as Aeron's ping-pong benchmarks do), so every measured round trip completes and no iteration
 * boundary leaves a message half-way. The score is one round trip; one-way latency is half of it.
 *
 * <p>Run: {@code java -cp 'cli/target/lib/*' org.openjdk.jmh.Main ShmPingPong} (see the README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ShmPingPongBenchmark
{
    private static final int TAG = 1;

    @Param({"8", "1024", "65536", "1048576", "4194304"})
    int size;

    @Param({"shared", "native", "heap"})
    String buffer;

    private Cohort[] ranks;
    private Arena arena;
    private Communicator pinger;
    private MemorySegment pingOut;
    private MemorySegment pingIn;
    private final Status status = new Status();
    private volatile boolean running;
    private Thread echo;

    /** Starts the two ranks, their buffers, and rank 1's echo thread. */
    @Setup(Level.Trial)
    public void start()
    {
        ranks = InProcessJob.start(2, Map.of());
        arena = Arena.ofShared();
        pinger = ranks[0].world();
        pingOut = allocate(ranks[0]);
        pingIn = allocate(ranks[0]);
        final MemorySegment echoBuffer = allocate(ranks[1]);
        final Communicator ponger = ranks[1].world();
        running = true;
        echo = Thread.ofPlatform().name("rank-1-echo").start(() ->
        {
            while (running)
            {
                final Request recv = ponger.irecv(echoBuffer, 0, TAG);
                while (!recv.test())
                {
                    if (!running)
                    {
                        recv.cancel();
                        return;
                    }
                }
                ponger.send(echoBuffer, 0, TAG);
            }
        });
    }

    private MemorySegment allocate(final Cohort rank)
    {
        return switch (buffer)
        {
            case "shared" -> rank.allocate(size);
            case "native" -> arena.allocate(size, 64);
            default -> MemorySegment.ofArray(new byte[size]);
        };
    }

    /** Stops the echo thread and closes the ranks. */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException
    {
        running = false;
        echo.join();
        ranks[0].close();
        ranks[1].close();
        arena.close();
    }

    /**
     * One round trip: rank 0 sends, rank 1 echoes, rank 0 receives.
     *
     * @return the status of the echo, so the work cannot be optimised away
     */
    @Benchmark
    public Status roundTrip()
    {
        pinger.send(pingOut, 1, TAG);
        return pinger.recv(pingIn, 1, TAG, status);
    }
}

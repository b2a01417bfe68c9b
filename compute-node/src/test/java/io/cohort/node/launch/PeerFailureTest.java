package io.cohort.node.launch;

import io.cohort.node.jobs.WaitForPeerJob;
import io.cohort.wireup.JobEnvironment;
import io.cohort.wireup.WireUpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rank killed with SIGKILL makes every peer waiting on it raise an exception naming it. The ranks are started
 * here without the launcher, whose first reaction to a dead rank is to stop the others: this test watches the
 * peers find out by themselves.
 */
class PeerFailureTest
{
    @Test
    void peersWaitingOnARankKilledWithSigkillRaiseNamingThatRank() throws Exception
    {
        final int size = 4;
        final String classes = Path.of(WaitForPeerJob.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI()).toString();
        final List<String> command = RankCommand.of(new LaunchSpec(size, new Program.MainClass(List.of(classes),
            WaitForPeerJob.class.getName()), List.of(), Map.of(), List.of("-XX:TieredStopAtLevel=1"), false,
            Duration.ofMinutes(1)));
        final List<Process> ranks = new ArrayList<>();
        final String jobId = "peerfail" + ProcessHandle.current().pid();
        try (WireUpServer exchange = new WireUpServer(size, "secret", InetAddress.getLoopbackAddress()))
        {
            for (int rank = 0; rank < size; rank++)
            {
                final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
                builder.environment().putAll(Map.of(JobEnvironment.JOB_ID, jobId,
                    JobEnvironment.RANK, Integer.toString(rank), JobEnvironment.SIZE, Integer.toString(size),
                    JobEnvironment.WIREUP, exchange.hostPort(), JobEnvironment.TOKEN, "secret"));
                ranks.add(builder.start());
            }
            assertEquals("JOB " + jobId, readLine(ranks.get(0)));
            final String pidLine = readLine(ranks.get(0));
            assertTrue(pidLine.startsWith("PID "), pidLine);
            ranks.get(0).destroyForcibly();
            for (int rank = 1; rank < size; rank++)
            {
                final Process peer = ranks.get(rank);
                assertTrue(peer.waitFor(30, TimeUnit.SECONDS), "rank " + rank + " hangs on its dead peer");
                final String output = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(42, peer.exitValue(), output);
                assertTrue(output.contains("PEER-FAILED rank=0") && output.contains("rank 0 died"), output);
            }
        }
        finally
        {
            ranks.forEach(Process::destroyForcibly);
            for (final Process rank : ranks)
            {
                rank.waitFor(10, TimeUnit.SECONDS);
            }
            // The test starts ranks itself, without a launcher, so it also does the launcher's clean-up: rank 0
            // died by SIGKILL and left its segments.
            SharedMemoryCleanup.removeJobFiles(SharedMemoryCleanup.directoryFor(Map.of()), jobId);
        }
    }

    private static String readLine(final Process process) throws IOException, URISyntaxException
    {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = process.getInputStream().read()) >= 0 && c != '\n')
        {
            line.append((char) c);
        }
        return line.toString();
    }
}

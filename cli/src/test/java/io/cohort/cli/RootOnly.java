package io.cohort.cli;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Skips a test class with a one-line reason unless it runs as root (network namespaces need root; CI has it). */
final class RootOnly
{
    private RootOnly()
    {
    }

    static void assume() throws Exception
    {
        final Process id = new ProcessBuilder("id", "-u").start();
        final String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assumeTrue("0".equals(uid), "skipped: a cluster of network namespaces needs root (CI runs as root)");
    }
}

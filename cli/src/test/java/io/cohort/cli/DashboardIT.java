package io.cohort.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The dashboard in a real browser: a head node and one agent (two slots) on this machine, and Debian's Chromium
 * driven by Playwright ({@code head-node/src/test/browser/dashboard.test.mjs}, installed by
 * {@code scripts/setup.sh --deps-only}). The script logs in (a wrong token first), submits jobs through the API and
 * follows them on the page: queued in scheduling order, running with a moving progress bar, finished; a failing
 * job under recent failures with its reason. Screenshots are kept as {@code cli/target/dashboard-*.png}.
 *
 * <p>Without Chromium, Node.js or the installed script this test is skipped with the reason, except on CI
 * ({@code CI=true}), where that is a failure: setup.sh installs them there.
 */
class DashboardIT
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path BROWSER_TEST = ROOT.resolve("head-node/src/test/browser");
    private static final Path ARTIFACTS = ROOT.resolve("cli/target");
    private static final int SCRIPT_SECONDS = 150;
    private static final Pattern TOKEN = Pattern.compile("cohort_[0-9a-f]{16}_");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private Path data;

    @BeforeEach
    void prerequisites()
    {
        final String chromium = chromium();
        final String missing = !Files.isExecutable(Path.of(chromium)) ? "no Chromium at " + chromium
            + " (apt-get install chromium)"
            : !Files.isDirectory(BROWSER_TEST.resolve("node_modules/playwright-core")) ? "playwright-core is not "
            + "installed in " + BROWSER_TEST + " (scripts/setup.sh --deps-only runs npm ci there)"
            : !nodeRuns() ? "no Node.js on the PATH (apt-get install nodejs)" : null;
        if (missing == null)
        {
            return;
        }
        if ("true".equals(System.getenv("CI")))
        {
            fail("CI must run the dashboard browser test, but " + missing);
        }
        abort("skipped: " + missing);
    }

    @AfterEach
    void stop() throws Exception
    {
        // The agent first (SIGTERM stops its ranks), then the head node.
        for (int i = processes.size() - 1; i >= 0; i--)
        {
            final Process process = processes.get(i);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void jobsAppearProgressFinishAndFailOnTheDashboardInChromium() throws Exception
    {
        data = dir.resolve("head");
        final int api = FreePorts.pair();
        final Process init = cohort(dir.resolve("init.log"), "head", "init", "--data", data.toString(),
            "--advertise", "127.0.0.1:" + api);
        assertEquals(0, init.waitFor(), Files.readString(dir.resolve("init.log")));
        processes.add(cohort(dir.resolve("head.log"), "head", "start", "--data", data.toString()));
        awaitLine(dir.resolve("head.log"), "Head node serving");
        processes.add(cohort(dir.resolve("agent.log"), "node", "start", "--listen", "127.0.0.1:" + freePort(),
            "--slots", "2", "--name", "dash1", "--join", data.resolve("join.json").toString(), "--work-dir",
            dir.resolve("work").toString()));
        awaitLine(dir.resolve("agent.log"), "ready on");

        final String token = new ObjectMapper().readTree(data.resolve("client.json").toFile()).get("token").asText();
        try (DirectoryStream<Path> old = Files.newDirectoryStream(ARTIFACTS, "dashboard-*.png"))
        {
            // Screenshots of an earlier run (a failure's, say) would pass for this run's.
            for (final Path screenshot : old)
            {
                Files.delete(screenshot);
            }
        }
        final ProcessBuilder script = new ProcessBuilder("node", "dashboard.test.mjs").directory(BROWSER_TEST.toFile())
            .redirectErrorStream(true).redirectOutput(dir.resolve("browser.log").toFile());
        script.environment().put("COHORT_URL", "https://127.0.0.1:" + api);
        // The token goes in the environment, not the command line, which every user of the machine can read.
        script.environment().put("COHORT_TOKEN", token);
        script.environment().put("NODE_EXTRA_CA_CERTS", data.resolve("tls/ca.pem").toString());
        script.environment().put("COHORT_SLEEP_CLASSPATH", classesOf(SleepingJob.class));
        script.environment().put("COHORT_PROGRESS_CLASSPATH", ROOT.resolve("examples/target/classes").toString());
        script.environment().put("COHORT_ARTIFACTS", ARTIFACTS.toString());
        script.environment().put("COHORT_CHROMIUM", chromium());
        final Process browser = script.start();
        final boolean ended = browser.waitFor(SCRIPT_SECONDS, TimeUnit.SECONDS);
        if (!ended)
        {
            browser.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final String log = Files.readString(dir.resolve("browser.log"));
        System.out.println(log);
        if (!ended || browser.exitValue() != 0)
        {
            fail("the browser test " + (ended ? "failed" : "ran over " + SCRIPT_SECONDS + " s") + ":\n" + log
                + "\n--- head node log (tail) ---\n" + tail(dir.resolve("head.log"))
                + "\n--- agent log (tail) ---\n" + tail(dir.resolve("agent.log")));
        }
        for (final String name : List.of("head.log", "agent.log", "browser.log"))
        {
            // The admin's token and the user token the script made: neither may show in any log.
            assertFalse(TOKEN.matcher(Files.readString(dir.resolve(name))).find(), "a token in " + name);
        }
    }

    private static String chromium()
    {
        final String configured = System.getenv("COHORT_CHROMIUM");
        return configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured;
    }

    private static boolean nodeRuns()
    {
        try
        {
            final Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node.getInputStream().readAllBytes();
            return node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0;
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }

    private Process cohort(final Path log, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("cohort").toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void awaitLine(final Path log, final String text) throws Exception
    {
        for (int i = 0; i < 600; i++)
        {
            if (Files.exists(log) && Files.readString(log).contains(text))
            {
                return;
            }
            for (final Process process : processes)
            {
                if (!process.isAlive())
                {
                    fail("a process ended early (exit " + process.exitValue() + "); " + log + ":\n" + tail(log));
                }
            }
            Thread.sleep(50);
        }
        fail("no '" + text + "' in " + log + " after 30 s:\n" + tail(log));
    }

    private static String tail(final Path log) throws IOException
    {
        if (!Files.exists(log))
        {
            return "(no log)";
        }
        final String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static String classesOf(final Class<?> type) throws Exception
    {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}

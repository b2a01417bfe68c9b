package io.cohort.examples;

import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.LocalLauncher;
import io.cohort.node.launch.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example runs as a real 4-process job and reports its own check as OK. */
class ExamplesTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource({"Hello, hello: OK", "Ring, ring: OK", "Pi, pi: OK", "ConjugateGradient, cg: OK",
        "SampleSort, sort: OK", "ProgressDemo, progress-demo: OK"})
    void exampleRunsOnFourRanksAndChecksItsOwnAnswer(final String example, final String verdict)
        throws URISyntaxException
    {
        final String classes = Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new LocalLauncher(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)).run(new LaunchSpec(4,
                new Program.MainClass(List.of(classes), "io.cohort.examples." + example), List.of(), Map.of(),
                List.of("-XX:TieredStopAtLevel=1"), false, Duration.ofMinutes(2)));
        final String output = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(output.contains(verdict), output);
    }

    @Test
    void progressUnderCohortRunIsPrintedByTheLauncherEndingWithTheLastReport() throws URISyntaxException
    {
        final String classes = Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new LocalLauncher(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)).run(new LaunchSpec(2,
                new Program.MainClass(List.of(classes), ProgressDemo.class.getName()), List.of("5", "50"), Map.of(),
                List.of("-XX:TieredStopAtLevel=1"), false, Duration.ofMinutes(2)));
        final String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, errors);
        final List<String> progress = errors.lines().filter(l -> l.startsWith("cohort run: progress ")).toList();
        assertEquals("cohort run: progress 5/5 (100%) step 5 of 5", progress.getLast(), errors);
    }
}

package io.cohort.examples;

import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.LocalLauncher;
import io.cohort.node.launch.Program;
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
        "SampleSort, sort: OK"})
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
}

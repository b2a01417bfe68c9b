package io.cohort.head.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobSpecCodecTest
{
    private final JobSpecCodec codec = new JobSpecCodec();
    private final ObjectMapper json = new ObjectMapper();

    private JobSpec read(final String text) throws Exception
    {
        return codec.read(json.readTree(text));
    }

    private SpecException rejected(final String text)
    {
        return assertThrows(SpecException.class, () -> read(text));
    }

    @Test
    void readsEveryField() throws Exception
    {
        final JobSpec spec = read("""
            {"name": "solver", "ranks": 8, "layout": {"ranksPerNode": 4}, "program": {"jar": "solver.jar"},
             "args": ["--n", "5"], "env": {"A_B": "1"}, "jvmOptions": ["-Xmx1g"], "timeLimitSeconds": 600,
             "priority": 10, "retry": {"maxAttempts": 3, "exitCodes": [75], "backoffSeconds": 5,
             "onNodeLoss": "fail"}, "dependencies": {"afterSuccess": [4], "afterAny": [5]},
             "package": "%s", "hold": true}""".formatted("a".repeat(64)));
        assertEquals(Layout.ranksPerNode(4), spec.layout());
        assertEquals(new Program.Jar("solver.jar"), spec.program());
        assertEquals(Duration.ofMinutes(10), spec.timeLimit());
        assertEquals(new RetryPolicy(3, Set.of(75), Duration.ofSeconds(5), false), spec.retry());
        assertEquals(List.of(new Dependency(Dependency.Kind.AFTER_SUCCESS, 4),
            new Dependency(Dependency.Kind.AFTER_ANY, 5)), spec.dependencies());
        assertTrue(spec.hold());
    }

    @Test
    void writtenSpecReadsBackEqual() throws Exception
    {
        final JobSpec spec = read("""
            {"ranks": 3, "layout": {"nodes": 2}, "program": {"classpath": ["a.jar", "lib"], "mainClass": "x.Main"},
             "retry": {"maxAttempts": 2}, "dependencies": {"afterAny": [1]}}""");
        assertEquals(spec, codec.read(codec.write(spec)));
    }

    @Test
    void rejectsUnknownFieldsByName()
    {
        final SpecException ex = rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, \"rank\": 2}");
        assertEquals("rank", ex.field());
        assertTrue(ex.getMessage().contains("unknown field"), ex.getMessage());
    }

    @Test
    void rejectsUnknownNestedFieldsWithTheirPath()
    {
        assertEquals("retry.maxAttempt", rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, "
            + "\"retry\": {\"maxAttempt\": 2}}").field());
    }

    @Test
    void rejectsAMissingRankCount()
    {
        assertEquals("ranks", rejected("{\"program\": {\"jar\": \"a.jar\"}}").field());
    }

    @Test
    void rejectsABackoffLongerThanTheLongestWaitBetweenAttemptsNamingTheLimit()
    {
        final SpecException ex = rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, "
            + "\"retry\": {\"maxAttempts\": 2, \"backoffSeconds\": 7200}}");
        assertEquals("retry.backoffSeconds", ex.field());
        assertTrue(ex.getMessage().contains("7200 is out of range; allowed 0 to 3600"), ex.getMessage());
    }

    @Test
    void rejectsZeroRanksNamingTheRange()
    {
        final SpecException ex = rejected("{\"ranks\": 0, \"program\": {\"jar\": \"a.jar\"}}");
        assertTrue(ex.getMessage().contains("allowed 1 to"), ex.getMessage());
    }

    @Test
    void rejectsRanksThatDoNotDivideIntoTheRanksPerNode()
    {
        assertEquals("layout.ranksPerNode", rejected("{\"ranks\": 6, \"layout\": {\"ranksPerNode\": 4}, "
            + "\"program\": {\"jar\": \"a.jar\"}}").field());
    }

    @Test
    void rejectsMoreNodesThanRanks()
    {
        assertEquals("layout.nodes", rejected("{\"ranks\": 2, \"layout\": {\"nodes\": 3}, "
            + "\"program\": {\"jar\": \"a.jar\"}}").field());
    }

    @Test
    void rejectsTwoProgramForms()
    {
        assertEquals("program", rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\", "
            + "\"executable\": \"/bin/true\"}}").field());
    }

    @Test
    void rejectsAWronglyTypedField()
    {
        final SpecException ex = rejected("{\"ranks\": \"four\", \"program\": {\"jar\": \"a.jar\"}}");
        assertEquals("ranks", ex.field());
        assertTrue(ex.getMessage().contains("whole number"), ex.getMessage());
    }

    @Test
    void rejectsAPackageThatIsNotAHash()
    {
        assertEquals("package", rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, "
            + "\"package\": \"app.jar\"}").field());
    }

    @Test
    void rejectsABadEnvironmentName()
    {
        assertEquals("env", rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, \"env\": {\"1X\": \"v\"}}")
            .field());
    }

    @Test
    void rejectsANulCharacterInAnEnvironmentValueNamingTheVariable()
    {
        final SpecException ex = rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, "
            + "\"env\": {\"A\": \"x\\u0000y\"}}");
        assertEquals("env.A", ex.field());
        assertTrue(ex.getMessage().contains("NUL character") && ex.getMessage().contains("index 1"), ex.getMessage());
    }

    @Test
    void rejectsANulCharacterInAnArgumentNamingItsIndex()
    {
        assertEquals("args[1]", rejected("{\"ranks\": 1, \"program\": {\"jar\": \"a.jar\"}, "
            + "\"args\": [\"ok\", \"\\u0000\"]}").field());
    }

    @Test
    void nullRankCountSaysItIsNull()
    {
        final SpecException ex = rejected("{\"ranks\": null, \"program\": {\"jar\": \"a.jar\"}}");
        assertTrue(ex.getMessage().contains("got null") && !ex.getMessage().contains("null null"), ex.getMessage());
    }
}

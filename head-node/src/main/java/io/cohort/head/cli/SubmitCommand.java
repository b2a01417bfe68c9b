package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code cohort submit}: the program forms of {@code cohort run}, queued on the head node instead of run here. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Submit a job of N ranks to the head node (same program forms as cohort run).",
        "  cohort submit -n 4 app.jar [ARGS...]            (app.jar is uploaded and staged on each node)",
        "  cohort submit -n 4 -cp CLASSPATH MAINCLASS [ARGS...]",
        "  cohort submit -n 4 -- PROGRAM [ARGS...]         (any executable; rank in COHORT_RANK)"},
    footer = {"Prints the job id; --json prints the job as JSON (its \"id\" and \"state\").",
        "With --wait: the exit codes of cohort watch (0 COMPLETED, the job's code for FAILED, ...)."})
public final class SubmitCommand extends ClientCommand
{
    @Option(names = {"-n", "-np", "--ranks"}, required = true, paramLabel = "N", description = "Number of ranks.")
    int ranks;

    @Option(names = "--name", paramLabel = "NAME", description = "A name for the job (default: job).")
    String name;

    @Option(names = {"-cp", "--classpath"}, paramLabel = "CLASSPATH",
        description = "Run MAINCLASS from this classpath (':'-separated, paths on the nodes or in the package).")
    String classpath;

    @Option(names = "--ranks-per-node", paramLabel = "K", description = "Exactly K ranks on each node (K divides N).")
    Integer ranksPerNode;

    @Option(names = "--nodes", paramLabel = "M", description = "Spread the ranks evenly over exactly M nodes.")
    Integer nodes;

    @Option(names = "-x", paramLabel = "NAME[=VALUE]",
        description = "Pass an environment variable to every rank (its current value if no VALUE).")
    List<String> exports = new ArrayList<>();

    @Option(names = "--jvm-opt", paramLabel = "OPTION", description = "An option for the ranks' JVMs (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = {"-t", "--time-limit"}, paramLabel = "DURATION",
        description = "Stop an attempt after this long (90, 90s, 10m, 2h, 1d); lets the job backfill.")
    String timeLimit;

    @Option(names = "--priority", paramLabel = "P", description = "Higher runs first (-10000..10000, default 0).")
    Integer priority;

    @Option(names = "--max-attempts", paramLabel = "K", description = "Attempts in all, the first included.")
    Integer maxAttempts;

    @Option(names = "--retry-exit-code", paramLabel = "CODE", split = ",",
        description = "Retry only these exit codes (default: every non-zero code).")
    List<Integer> retryCodes = new ArrayList<>();

    @Option(names = "--backoff", paramLabel = "DURATION", description = "Wait before the 2nd attempt, doubled after.")
    String backoff;

    @Option(names = "--on-node-loss", paramLabel = "requeue|fail",
        description = "Start the whole gang again when a node dies (requeue, default) or fail the job.")
    String onNodeLoss;

    @Option(names = "--after-ok", paramLabel = "JOB", split = ",", description = "Start after these jobs COMPLETED.")
    List<Long> afterOk = new ArrayList<>();

    @Option(names = "--after-any", paramLabel = "JOB", split = ",", description = "Start after these jobs ended.")
    List<Long> afterAny = new ArrayList<>();

    @Option(names = "--package", paramLabel = "FILE",
        description = "A jar or zip to upload and unpack in each rank's working directory (with -cp or --).")
    Path packageFile;

    @Option(names = "--hold", description = "Submit held: it waits for cohort release.")
    boolean hold;

    @Option(names = "--webhook", paramLabel = WebhookOptions.FORMAT,
        description = {"POST the job's events to URL, signed (repeatable). events: job.submitted, job.state, "
            + "job.progress, attempt.started, attempt.ended (default all), joined by +. Without secret=, the head node "
            + "makes one and it is printed once."})
    List<String> webhooks = new ArrayList<>();

    @Option(names = "--wait", description = "Then follow the job like cohort watch, and exit with its exit code.")
    boolean await;

    @Option(names = "--plain", description = "With --wait: one line per change even on a terminal.")
    boolean plain;

    @Parameters(paramLabel = "PROGRAM", arity = "1..*",
        description = "JAR, MAINCLASS (with -cp), or after --, any executable; then its arguments.")
    List<String> program = new ArrayList<>();

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        final ObjectNode job = HeadClient.JSON.createObjectNode();
        if (name != null)
        {
            job.put("name", name);
        }
        job.put("ranks", ranks);
        layout(job);
        program(client, job);
        final ArrayNode args = job.putArray("args");
        program.subList(1, program.size()).forEach(args::add);
        environment(job.putObject("env"));
        final ArrayNode jvm = job.putArray("jvmOptions");
        jvmOptions.forEach(jvm::add);
        if (timeLimit != null)
        {
            job.put("timeLimitSeconds", duration("--time-limit", timeLimit));
        }
        if (priority != null)
        {
            job.put("priority", priority);
        }
        retry(job);
        if (!afterOk.isEmpty() || !afterAny.isEmpty())
        {
            final ObjectNode deps = job.putObject("dependencies");
            final ArrayNode ok = deps.putArray("afterSuccess");
            afterOk.forEach(ok::add);
            final ArrayNode any = deps.putArray("afterAny");
            afterAny.forEach(any::add);
        }
        job.put("hold", hold);
        if (!webhooks.isEmpty())
        {
            job.set("webhooks", WebhookOptions.toJson(spec, webhooks));
        }
        final JsonNode answer = client.call("POST", "/jobs", job);
        if (json())
        {
            printJson(out, answer);
        }
        else
        {
            out.println("Submitted job " + answer.get("id").asLong() + " (" + answer.get("state").asText() + ")");
            WebhookOptions.printSecrets(out, answer.path("webhooks"));
            out.flush();
        }
        if (await)
        {
            // With --json, stdout stays one JSON document: the state lines go to stderr.
            final PrintWriter err = spec.commandLine().getErr();
            return new JobWatch(client, json() ? err : out, err, !json() && !plain && JobWatch.onTerminal())
                .watch(answer.get("id").asLong());
        }
        return 0;
    }

    private void layout(final ObjectNode job)
    {
        if (ranksPerNode != null && nodes != null)
        {
            throw new ParameterException(spec.commandLine(), "give --ranks-per-node or --nodes, not both");
        }
        if (ranksPerNode != null)
        {
            job.putObject("layout").put("ranksPerNode", ranksPerNode);
        }
        else if (nodes != null)
        {
            job.putObject("layout").put("nodes", nodes);
        }
    }

    private void program(final HeadClient client, final ObjectNode job) throws IOException
    {
        final List<String> original = spec.commandLine().getParseResult().originalArgs();
        final int dashes = original.indexOf("--");
        final boolean executable = dashes >= 0 && dashes == original.size() - program.size() - 1;
        if (executable && classpath != null)
        {
            throw new ParameterException(spec.commandLine(), "use either -cp CLASSPATH MAINCLASS or -- PROGRAM, "
                + "not both");
        }
        final ObjectNode what = job.putObject("program");
        if (executable)
        {
            what.put("executable", program.get(0));
        }
        else if (classpath != null)
        {
            final ArrayNode cp = what.putArray("classpath");
            for (final String entry : classpath.split(File.pathSeparator))
            {
                // A relative entry is looked up in the job's staged package on the node; without one it cannot be.
                if (packageFile == null && !Path.of(entry).isAbsolute())
                {
                    throw new ParameterException(spec.commandLine(), "-cp entry '" + entry + "' is relative, but the "
                        + "job has no --package to find it in on the nodes; give a path that exists on every node ("
                        + (Files.exists(Path.of(entry)) ? Path.of(entry).toAbsolutePath() + ", if shared" : "absolute")
                        + "), or ship it with --package FILE (a jar, or a zip holding it)");
                }
                cp.add(entry);
            }
            what.put("mainClass", program.get(0));
        }
        else
        {
            final Path jar = Path.of(program.get(0));
            if (packageFile != null)
            {
                throw new ParameterException(spec.commandLine(), "a JAR given here is itself the job's package; "
                    + "--package goes with -cp CLASSPATH MAINCLASS or -- PROGRAM");
            }
            if (Files.isRegularFile(jar))
            {
                if (!startsAsAZip(jar))
                {
                    throw new ParameterException(spec.commandLine(), "'" + jar + "' is not a jar (it is not a zip "
                        + "file); to run an executable write: cohort submit -n N -- " + jar);
                }
                // A local jar travels with the job: uploaded once, staged on each node under its own name.
                job.put("package", client.upload(jar));
                what.put("jar", jar.getFileName().toString());
                return;
            }
            what.put("jar", program.get(0));
        }
        if (packageFile != null)
        {
            if (!Files.isRegularFile(packageFile))
            {
                throw new ParameterException(spec.commandLine(), "--package " + packageFile + ": no such file");
            }
            job.put("package", client.upload(packageFile));
        }
    }

    /** Whether a file begins with a zip's local-header signature, as every jar does. */
    private boolean startsAsAZip(final Path file)
    {
        try (var in = Files.newInputStream(file))
        {
            final byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        }
        catch (final IOException ex)
        {
            throw new ParameterException(spec.commandLine(), "cannot read '" + file + "': " + ex.getMessage());
        }
    }

    private void environment(final ObjectNode env)
    {
        for (final String export : exports)
        {
            final int eq = export.indexOf('=');
            final String variable = eq < 0 ? export : export.substring(0, eq);
            if (variable.isEmpty())
            {
                throw new ParameterException(spec.commandLine(), "-x '" + export + "' names no variable; use "
                    + "-x NAME or -x NAME=VALUE");
            }
            final String value = eq < 0 ? System.getenv(variable) : export.substring(eq + 1);
            if (value == null)
            {
                throw new ParameterException(spec.commandLine(), "-x " + variable + ": the variable is not set here; "
                    + "give a value with -x " + variable + "=VALUE");
            }
            env.put(variable, value);
        }
    }

    private void retry(final ObjectNode job)
    {
        if (maxAttempts == null && retryCodes.isEmpty() && backoff == null && onNodeLoss == null)
        {
            return;
        }
        final ObjectNode retry = job.putObject("retry");
        if (maxAttempts != null)
        {
            retry.put("maxAttempts", maxAttempts);
        }
        final ArrayNode codes = retry.putArray("exitCodes");
        retryCodes.forEach(codes::add);
        if (backoff != null)
        {
            retry.put("backoffSeconds", duration("--backoff", backoff));
        }
        if (onNodeLoss != null)
        {
            retry.put("onNodeLoss", onNodeLoss);
        }
    }

    private long duration(final String option, final String text)
    {
        try
        {
            return Durations.parse(option, text).toSeconds();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
    }
}

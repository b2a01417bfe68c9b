package io.cohort.cli;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.LocalLauncher;
import io.cohort.node.launch.Program;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cohort run}: launches N ranks on this machine, as mpirun does. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Launch a job of N ranks on this machine (mpirun-style).",
        "  cohort run -n 4 app.jar [ARGS...]",
        "  cohort run -n 4 -cp CLASSPATH MAINCLASS [ARGS...]",
        "  cohort run -n 4 -- PROGRAM [ARGS...]   (any executable; rank in COHORT_RANK)"},
    footer = {"Exit code: 0, or the first failing rank's exit code (the other ranks are stopped), "
        + "or 124 after --timeout."})
public final class RunCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = {"-n", "-np", "--np"}, required = true, paramLabel = "N", description = "Number of ranks.")
    private int ranks;

    @Option(names = {"-cp", "--classpath"}, paramLabel = "CLASSPATH",
        description = "Run MAINCLASS from this classpath (':'-separated).")
    private String classpath;

    @Option(names = "--tag-output", description = "Prefix each output line with [1,RANK]<stdout|stderr>:.")
    private boolean tagOutput;

    @Option(names = "-x", paramLabel = "NAME[=VALUE]",
        description = "Pass an environment variable to every rank (its current value if no VALUE).")
    private List<String> exports = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop the job after this many seconds.")
    private Long timeoutSeconds;

    @Option(names = "--jvm-opt", paramLabel = "OPTION",
        description = "An option for the ranks' JVMs, e.g. --jvm-opt=-Xmx2g (repeatable).")
    private List<String> jvmOptions = new ArrayList<>();

    @Parameters(paramLabel = "PROGRAM", arity = "1..*",
        description = "JAR, MAINCLASS (with -cp), or after --, any executable; then its arguments.")
    private List<String> program = new ArrayList<>();

    @Override
    public Integer call()
    {
        final List<String> original = spec.commandLine().getParseResult().originalArgs();
        final int dashes = original.indexOf("--");
        final boolean executable = dashes >= 0 && (dashes == original.size() - program.size() - 1);
        if (executable && classpath != null)
        {
            throw new ParameterException(spec.commandLine(), "use either -cp CLASSPATH MAINCLASS or -- PROGRAM, "
                + "not both");
        }
        final Program what;
        if (executable)
        {
            what = new Program.Executable(program.get(0));
        }
        else if (classpath != null)
        {
            what = new Program.MainClass(Arrays.asList(classpath.split(File.pathSeparator)), program.get(0));
        }
        else
        {
            what = new Program.Jar(Path.of(program.get(0)));
        }
        try
        {
            final LaunchSpec job = new LaunchSpec(ranks, what, program.subList(1, program.size()), environment(),
                jvmOptions, tagOutput, timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds));
            return new LocalLauncher(System.out, System.err).run(job);
        }
        catch (final LaunchException ex)
        {
            spec.commandLine().getErr().println("cohort run: " + ex.getMessage());
            return 2;
        }
    }

    private Map<String, String> environment()
    {
        final Map<String, String> env = new LinkedHashMap<>();
        for (final String export : exports)
        {
            final int eq = export.indexOf('=');
            final String name = eq < 0 ? export : export.substring(0, eq);
            if (name.isEmpty())
            {
                throw new ParameterException(spec.commandLine(), "-x '" + export + "' names no variable; use "
                    + "-x NAME or -x NAME=VALUE");
            }
            final String value = eq < 0 ? System.getenv(name) : export.substring(eq + 1);
            if (value == null)
            {
                throw new ParameterException(spec.commandLine(), "-x " + name + ": the variable is not set here; "
                    + "give a value with -x " + name + "=VALUE");
            }
            env.put(name, value);
        }
        return env;
    }
}

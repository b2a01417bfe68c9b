package io.cohort.node.launch;

import java.nio.file.Path;
import java.util.List;

/**
 * What each rank of a job runs: a Java program (from a jar, or a main class on a classpath) or any executable,
 * as mpirun accepts.
 */
public sealed interface Program
{
    /**
     * A jar whose manifest names its main class ({@code cohort run -n 4 app.jar}).
     *
     * @param jar the jar file
     */
    record Jar(Path jar) implements Program
    {
    }

    /**
     * A main class on a classpath ({@code cohort run -n 4 -cp app.jar:lib/* org.example.Solver}).
     *
     * @param classpath the classpath entries
     * @param mainClass the fully qualified main class
     */
    record MainClass(List<String> classpath, String mainClass) implements Program
    {
    }

    /**
     * Any executable ({@code cohort run -n 4 -- hostname}); it finds its rank in COHORT_RANK.
     *
     * @param executable the program, a path or a name looked up on PATH
     */
    record Executable(String executable) implements Program
    {
    }
}

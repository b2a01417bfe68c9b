package io.cohort.head.job;

import java.util.List;

/**
 * What a job's ranks run: the same three forms as {@code cohort run}, so moving a job from a laptop to the cluster
 * changes one word.
 *
 * <pre>{@code
 * new Program.Jar("solver.jar");                               // cohort submit -n 4 solver.jar
 * new Program.MainClass(List.of("lib/*"), "org.example.Main"); // cohort submit -n 4 -cp lib/* org.example.Main
 * new Program.Executable("/bin/hostname");                     // cohort submit -n 4 -- /bin/hostname
 * }</pre>
 *
 * Relative paths are resolved in the job's working directory on each node, where its package is unpacked.
 */
public sealed interface Program permits Program.Jar, Program.MainClass, Program.Executable
{
    /**
     * A Cohort jar whose manifest names its main class.
     *
     * @param jar the jar's path
     */
    record Jar(String jar) implements Program
    {
    }

    /**
     * A main class on a classpath.
     *
     * @param classpath the classpath entries
     * @param mainClass the fully qualified main class
     */
    record MainClass(List<String> classpath, String mainClass) implements Program
    {
        /** Copies the classpath so the record stays immutable. */
        public MainClass
        {
            classpath = List.copyOf(classpath);
        }
    }

    /**
     * Any executable; each rank finds its rank in {@code COHORT_RANK}.
     *
     * @param path the executable's path
     */
    record Executable(String path) implements Program
    {
    }
}

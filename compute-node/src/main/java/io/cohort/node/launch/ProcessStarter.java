package io.cohort.node.launch;

import java.io.File;
import java.io.IOException;
import java.util.Map;

/**
 * Starts the processes of ranks: with the C library's {@code posix_spawn} straight from this JVM where it can
 * ({@link PosixSpawn}: one program load per process instead of the JDK's two), else with {@link ProcessBuilder}.
 * {@code COHORT_SPAWN=jdk} in the starting process's environment chooses the JDK's way; {@code posix_spawn} insists
 * on the other.
 *
 * <p>Thread-safe.
 */
public final class ProcessStarter
{
    /** The environment variable that chooses how processes are started. */
    public static final String SPAWN = "COHORT_SPAWN";

    /** How processes are started. */
    public enum Mechanism
    {
        /** glibc's posix_spawn through the FFM API. */
        POSIX_SPAWN,
        /** {@link ProcessBuilder#start()}. */
        JDK
    }

    private final Mechanism mechanism;

    private ProcessStarter(final Mechanism mechanism)
    {
        this.mechanism = mechanism;
    }

    /**
     * The starter a setting asks for.
     *
     * @param env the environment holding {@value #SPAWN}, if any
     * @return the starter
     * @throws IllegalArgumentException if the setting is unknown, or asks for posix_spawn where it cannot work
     */
    public static ProcessStarter fromEnvironment(final Map<String, String> env)
    {
        final String wanted = env.get(SPAWN);
        if (wanted == null || wanted.isBlank())
        {
            return new ProcessStarter(PosixSpawn.unavailableReason() == null ? Mechanism.POSIX_SPAWN : Mechanism.JDK);
        }
        return switch (wanted.trim())
        {
            case "jdk" -> new ProcessStarter(Mechanism.JDK);
            case "posix_spawn" ->
            {
                if (PosixSpawn.unavailableReason() != null)
                {
                    throw new IllegalArgumentException(SPAWN + "=posix_spawn cannot work here: "
                        + PosixSpawn.unavailableReason() + "; unset it or set " + SPAWN + "=jdk");
                }
                yield new ProcessStarter(Mechanism.POSIX_SPAWN);
            }
            default -> throw new IllegalArgumentException(SPAWN + "=" + wanted + " is not a way to start processes; "
                + "use posix_spawn or jdk");
        };
    }

    /**
     * How this starter starts processes.
     *
     * @return the mechanism
     */
    public Mechanism mechanism()
    {
        return mechanism;
    }

    /**
     * Starts the process a builder describes. posix_spawn serves builders whose standard input comes from
     * /dev/null and whose output and error are separate pipes (what an agent gives a rank); any other goes to the
     * JDK.
     *
     * @param builder the command, working directory, environment and redirections
     * @return the started process
     * @throws IOException if it cannot be started, naming the program and the reason
     */
    public Process start(final ProcessBuilder builder) throws IOException
    {
        if (mechanism == Mechanism.POSIX_SPAWN && spawnable(builder))
        {
            return new SpawnedProcess(PosixSpawn.spawn(builder.command(),
                builder.directory() == null ? null : builder.directory().toPath(), builder.environment()));
        }
        return builder.start();
    }

    private static boolean spawnable(final ProcessBuilder builder)
    {
        final ProcessBuilder.Redirect input = builder.redirectInput();
        return input.type() == ProcessBuilder.Redirect.Type.READ && new File("/dev/null").equals(input.file())
            && builder.redirectOutput() == ProcessBuilder.Redirect.PIPE
            && builder.redirectError() == ProcessBuilder.Redirect.PIPE && !builder.redirectErrorStream()
            && !builder.command().isEmpty();
    }
}

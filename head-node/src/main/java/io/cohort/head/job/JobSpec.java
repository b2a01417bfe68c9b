package io.cohort.head.job;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a user asks the head node to run: a validated, immutable job description. {@link JobSpecCodec} reads it
 * from JSON with errors that name the field; the CLI builds it from flags.
 *
 * <pre>{@code
 * new JobSpec("solver", 8, Layout.ranksPerNode(4), new Program.Jar("solver.jar"), List.of("--size", "100"),
 *     Map.of(), List.of(), Duration.ofMinutes(10), 0, RetryPolicy.none(), List.of(), packageHash, false, List.of());
 * }</pre>
 *
 * @param name         a label for people (letters, digits, '.', '_', '-')
 * @param ranks        the number of ranks, all started together (gang)
 * @param layout       how the ranks spread over nodes
 * @param program      what each rank runs
 * @param args         the program's arguments
 * @param env          extra environment variables of every rank
 * @param jvmOptions   options for the ranks' JVMs (jar and main-class programs)
 * @param timeLimit    the longest an attempt may run, or null for none (a job without one never backfills into a
 *                     hole that a waiting job has reserved)
 * @param priority     higher runs first; ties go by submission order
 * @param retry        when failed attempts are tried again
 * @param dependencies jobs that must end first
 * @param packageHash  the SHA-256 (hex) of an uploaded jar or zip staged into each rank's working directory, or null
 * @param hold         whether the job is submitted HELD (it waits for {@code release})
 * @param webhooks     URLs its events are POSTed to, with their secrets
 */
public record JobSpec(String name, int ranks, Layout layout, Program program, List<String> args,
    Map<String, String> env, List<String> jvmOptions, Duration timeLimit, int priority, RetryPolicy retry,
    List<Dependency> dependencies, String packageHash, boolean hold, List<Webhook> webhooks)
{
    /**
     * Copies the collections so a spec never changes after it was validated.
     *
     * @param name         name
     * @param ranks        ranks
     * @param layout       layout
     * @param program      program
     * @param args         arguments
     * @param env          environment
     * @param jvmOptions   JVM options
     * @param timeLimit    time limit or null
     * @param priority     priority
     * @param retry        retry policy
     * @param dependencies dependencies
     * @param packageHash  package hash or null
     * @param hold         submit held
     * @param webhooks     webhooks
     */
    public JobSpec
    {
        args = List.copyOf(args);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        jvmOptions = List.copyOf(jvmOptions);
        dependencies = List.copyOf(dependencies);
        webhooks = List.copyOf(webhooks);
        if (ranks < 1)
        {
            throw new IllegalArgumentException("ranks " + ranks + " < 1");
        }
    }

    /**
     * The same spec with other webhooks (a token's defaults, for a spec that names none).
     *
     * @param hooks the webhooks
     * @return the new spec
     */
    public JobSpec withWebhooks(final List<Webhook> hooks)
    {
        return new JobSpec(name, ranks, layout, program, args, env, jvmOptions, timeLimit, priority, retry,
            dependencies, packageHash, hold, hooks);
    }
}

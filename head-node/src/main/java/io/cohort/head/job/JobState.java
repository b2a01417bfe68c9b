package io.cohort.head.job;

import java.time.Instant;
import java.util.List;

/**
 * Where a job is in its life. PENDING, HELD, STARTING and RUNNING are live; the rest are final (a {@code requeue}
 * makes a final job PENDING again).
 *
 * <pre>{@code
 * switch (job.state())
 * {
 *     case JobState.Failed f -> System.out.println("exit " + f.exitCode() + ": " + f.reason());
 *     default -> System.out.println(job.state().name());
 * }
 * }</pre>
 */
public sealed interface JobState
{
    /** Every state's name, in life order: what the API and the CLI show and accept as filters. */
    List<String> NAMES = List.of("PENDING", "HELD", "STARTING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED",
        "TIMED_OUT", "DEAD_LETTER");

    /**
     * The state's name as users see it.
     *
     * @return e.g. {@code COMPLETED}
     */
    String name();

    /**
     * Whether the job has ended (nothing of it runs and nothing will unless requeued).
     *
     * @return true for COMPLETED, FAILED, CANCELLED, TIMED_OUT and DEAD_LETTER
     */
    default boolean terminal()
    {
        return false;
    }

    /**
     * Why the job is in this state, for people.
     *
     * @return the reason, or null when the name says it all
     */
    default String reason()
    {
        return null;
    }

    /**
     * Waiting for slots (and, after a failed attempt, for its backoff).
     *
     * @param notBefore the earliest start, or null
     * @param reason    why it waits again, or null for a fresh submission
     */
    record Pending(Instant notBefore, String reason) implements JobState
    {
        @Override
        public String name()
        {
            return "PENDING";
        }
    }

    /**
     * Kept out of scheduling until released.
     *
     * @param reason who held it
     */
    record Held(String reason) implements JobState
    {
        @Override
        public String name()
        {
            return "HELD";
        }
    }

    /**
     * Slots chosen and launches sent; not every node has confirmed its ranks started.
     *
     * @param attempt the attempt number
     */
    record Starting(int attempt) implements JobState
    {
        @Override
        public String name()
        {
            return "STARTING";
        }
    }

    /**
     * Every rank started.
     *
     * @param attempt the attempt number
     */
    record Running(int attempt) implements JobState
    {
        @Override
        public String name()
        {
            return "RUNNING";
        }
    }

    /** Every rank of the last attempt exited with 0. */
    record Completed() implements JobState
    {
        @Override
        public String name()
        {
            return "COMPLETED";
        }

        @Override
        public boolean terminal()
        {
            return true;
        }
    }

    /**
     * Failed and not retried (the policy does not retry this exit code, or retries nothing).
     *
     * @param exitCode the first failing rank's exit code, or -1 when no rank code applies
     * @param reason   what happened
     */
    record Failed(int exitCode, String reason) implements JobState
    {
        @Override
        public String name()
        {
            return "FAILED";
        }

        @Override
        public boolean terminal()
        {
            return true;
        }
    }

    /**
     * Cancelled by a user or because a dependency can never be met.
     *
     * @param reason by whom or why
     */
    record Cancelled(String reason) implements JobState
    {
        @Override
        public String name()
        {
            return "CANCELLED";
        }

        @Override
        public boolean terminal()
        {
            return true;
        }
    }

    /**
     * Stopped at its time limit.
     *
     * @param reason the limit that was reached
     */
    record TimedOut(String reason) implements JobState
    {
        @Override
        public String name()
        {
            return "TIMED_OUT";
        }

        @Override
        public boolean terminal()
        {
            return true;
        }
    }

    /**
     * Every attempt the policy allowed failed; each attempt's reason is kept with the attempts.
     *
     * @param reason a summary of the last failure
     */
    record DeadLetter(String reason) implements JobState
    {
        @Override
        public String name()
        {
            return "DEAD_LETTER";
        }

        @Override
        public boolean terminal()
        {
            return true;
        }
    }

    /**
     * Rebuilds a state from its stored columns.
     *
     * @param name      the state's name
     * @param reason    the reason, or null
     * @param exitCode  the exit code (FAILED), or null
     * @param attempt   the current attempt (STARTING, RUNNING)
     * @param notBefore the earliest start (PENDING), or null
     * @return the state
     */
    static JobState of(final String name, final String reason, final Integer exitCode, final int attempt,
        final Instant notBefore)
    {
        return switch (name)
        {
            case "PENDING" -> new Pending(notBefore, reason);
            case "HELD" -> new Held(reason);
            case "STARTING" -> new Starting(attempt);
            case "RUNNING" -> new Running(attempt);
            case "COMPLETED" -> new Completed();
            case "FAILED" -> new Failed(exitCode == null ? -1 : exitCode, reason);
            case "CANCELLED" -> new Cancelled(reason);
            case "TIMED_OUT" -> new TimedOut(reason);
            case "DEAD_LETTER" -> new DeadLetter(reason);
            default -> throw new IllegalArgumentException("unknown job state '" + name + "'; known: " + NAMES);
        };
    }
}

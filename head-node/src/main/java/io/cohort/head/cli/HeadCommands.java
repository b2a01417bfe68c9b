package io.cohort.head.cli;

import java.util.List;

/**
 * The head-side verbs for the {@code cohort} command. The cli module registers {@link #TOP_LEVEL} as subcommands of
 * {@code cohort}, and {@link #NODE} as subcommands of its {@code cohort node} command (next to {@code node start}).
 * Classes, not instances: picocli makes a fresh command object for each command line.
 *
 * <pre>{@code
 * CommandLine cli = new CommandLine(new Main());
 * HeadCommands.TOP_LEVEL.forEach(cli::addSubcommand);
 * }</pre>
 */
public final class HeadCommands
{
    /** {@code head}, {@code submit}, {@code status}, {@code queue}, {@code cancel}, {@code hold}, {@code release},
     * {@code requeue}, {@code logs}, {@code watch}, {@code job}, {@code nodes}, {@code token}. */
    public static final List<Class<?>> TOP_LEVEL = List.of(HeadCommand.class, SubmitCommand.class,
        StatusCommand.class, QueueCommand.class, CancelCommand.class, HoldCommand.class, ReleaseCommand.class,
        RequeueCommand.class, LogsCommand.class, WatchCommand.class, JobCommand.class, NodesCommand.class,
        TokenCommand.class);

    /** {@code node drain} and {@code node resume}. */
    public static final List<Class<?>> NODE = List.of(NodeDrainCommand.class, NodeResumeCommand.class);

    private HeadCommands()
    {
    }
}

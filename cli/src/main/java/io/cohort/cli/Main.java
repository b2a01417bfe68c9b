package io.cohort.cli;

import io.cohort.benchmarks.osu.BenchCommand;
import io.cohort.head.cli.ErrorText;
import io.cohort.head.cli.HeadCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cohort} command: {@code cohort run} launches a job (mpirun-style) on this machine or across hosts,
 * {@code cohort bench} measures the transport, {@code cohort node start} runs a compute-node agent and
 * {@code cohort secret} makes the cluster secret; {@code cohort head}, {@code submit}, {@code status} and the other
 * head-node verbs talk to a head node. Every verb has {@code --help}.
 */
@Command(name = "cohort", mixinStandardHelpOptions = true, version = "cohort 0.1.0",
    description = "Cohort: an MPI-style runtime for the JVM.",
    subcommands = {RunCommand.class, BenchCommand.class, NodeCommand.class, SecretCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable
{
    /**
     * Runs the command line and exits with the verb's exit code.
     *
     * @param args the command line
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, configured as {@code cohort} runs it.
     *
     * @return the picocli command line
     */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new Main());
        HeadCommands.TOP_LEVEL.forEach(cli::addSubcommand);
        final CommandLine node = cli.getSubcommands().get("node");
        HeadCommands.NODE.forEach(node::addSubcommand);
        // Everything after the program's name belongs to the program, as with mpirun and srun.
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.getSubcommands().get("submit").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((ex, line, parsed) ->
        {
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + ErrorText.describe(ex));
            return 2;
        });
        return cli;
    }

    @Override
    public void run()
    {
        CommandLine.usage(this, System.out);
    }
}

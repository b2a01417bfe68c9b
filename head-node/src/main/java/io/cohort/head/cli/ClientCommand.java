package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The shape of every client verb: load the configuration, call the head node, print a table or JSON. A refusal by
 * the head node prints its message and exits with 1.
 */
public abstract class ClientCommand implements Callable<Integer>
{
    /** Exit code when the head node refuses or cannot be reached. */
    public static final int REFUSED = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Override
    public final Integer call()
    {
        try
        {
            return run(options.client(), spec.commandLine().getOut());
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + ErrorText.describe(ex));
            spec.commandLine().getErr().flush();
            return REFUSED;
        }
    }

    /**
     * The verb's work.
     *
     * @param client the head node
     * @param out    where to print
     * @return the exit code
     * @throws IOException if the head node refuses or cannot be reached
     */
    protected abstract int run(HeadClient client, PrintWriter out) throws IOException;

    /**
     * Whether --json was given.
     *
     * @return true for JSON output
     */
    protected boolean json()
    {
        return options.json();
    }

    /**
     * Prints JSON for scripts.
     *
     * @param out  where
     * @param node what
     * @throws IOException never in practice
     */
    protected static void printJson(final PrintWriter out, final JsonNode node) throws IOException
    {
        out.println(HeadClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        out.flush();
    }

    /**
     * A text field, or null.
     *
     * @param node  the object
     * @param field the field
     * @return its text, or null if absent
     */
    protected static String text(final JsonNode node, final String field)
    {
        final JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}

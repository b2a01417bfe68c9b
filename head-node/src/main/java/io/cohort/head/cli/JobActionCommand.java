package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The verbs that act on jobs by id: cancel, hold, release, requeue. Each job is tried; the exit code is 1 if any was
 * refused.
 */
public abstract class JobActionCommand extends ClientCommand
{
    @Parameters(paramLabel = "JOB", arity = "1..*", description = "Job ids.")
    List<Long> jobs = new ArrayList<>();

    /**
     * The API action's name.
     *
     * @return e.g. cancel
     */
    protected abstract String action();

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        int status = 0;
        // With --json: the job's object for one id, an array of them for several (one document either way).
        final com.fasterxml.jackson.databind.node.ArrayNode answers =
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        for (final long job : jobs)
        {
            try
            {
                final JsonNode answer = client.call("POST", "/jobs/" + job + "/" + action(), null);
                if (json())
                {
                    answers.add(answer);
                }
                else
                {
                    final String state = answer.get("state").asText();
                    final boolean stopping = ("cancel".equals(action()) || "requeue".equals(action()))
                        && ("RUNNING".equals(state) || "STARTING".equals(state));
                    out.println("Job " + job + ": " + state
                        + (answer.has("reason") ? " (" + answer.get("reason").asText() + ")" : "")
                        + (stopping ? "; stopping its ranks (SIGTERM, then SIGKILL after the grace period)" : ""));
                    out.flush();
                }
            }
            catch (final HeadClient.RefusedException ex)
            {
                spec.commandLine().getErr().println(spec.qualifiedName() + " " + job + ": " + ex.getMessage());
                spec.commandLine().getErr().flush();
                status = REFUSED;
            }
        }
        if (json() && !answers.isEmpty())
        {
            printJson(out, jobs.size() == 1 ? answers.get(0) : answers);
        }
        return status;
    }
}

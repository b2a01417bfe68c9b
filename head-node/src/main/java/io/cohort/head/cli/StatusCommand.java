package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code cohort status JOB}: one job's state (by name, e.g. COMPLETED), reason and attempts. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a job: its state (PENDING, HELD, STARTING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMED_OUT, "
        + "DEAD_LETTER), why, its progress, and every attempt.")
public final class StatusCommand extends ClientCommand
{
    @Parameters(paramLabel = "JOB", description = "The job id.")
    long job;

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        final JsonNode node = client.call("GET", "/jobs/" + job, null);
        if (json())
        {
            printJson(out, node);
            return 0;
        }
        final Table fields = new Table("JOB", Long.toString(job));
        fields.row("name", text(node, "name"));
        fields.row("owner", text(node, "owner"));
        fields.row("state", text(node, "state"));
        if (node.has("reason"))
        {
            fields.row("reason", text(node, "reason"));
        }
        if (node.has("waiting"))
        {
            fields.row("waiting", text(node, "waiting"));
        }
        if (node.has("exitCode"))
        {
            fields.row("exit code", text(node, "exitCode"));
        }
        if (node.path("progress").isObject())
        {
            fields.row("progress", JobWatch.bar(node.get("progress"), false).substring("progress ".length())
                + " at " + text(node.get("progress"), "at"));
        }
        fields.row("ranks", text(node, "ranks"));
        fields.row("priority", text(node, "priority"));
        fields.row("submitted", text(node, "submittedAt"));
        if (node.has("endedAt"))
        {
            fields.row("ended", text(node, "endedAt"));
        }
        fields.print(out);
        if (node.get("attemptList").size() > 0)
        {
            out.println();
            final Table attempts = new Table("ATTEMPT", "STATUS", "NODES", "STARTED", "ENDED", "EXIT", "REASON");
            for (final JsonNode attempt : node.get("attemptList"))
            {
                final StringBuilder nodes = new StringBuilder();
                for (final JsonNode block : attempt.get("placement"))
                {
                    nodes.append(nodes.isEmpty() ? "" : ",").append(block.get("node").asText()).append(':')
                        .append(block.get("count").asInt());
                }
                attempts.row(text(attempt, "number"), text(attempt, "status"), nodes.toString(),
                    text(attempt, "startedAt"), text(attempt, "endedAt"), text(attempt, "exitCode"),
                    text(attempt, "reason"));
            }
            attempts.print(out);
        }
        return 0;
    }
}

package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code cohort queue}: the jobs that wait or run (or all of them), one line each. */
@Command(name = "queue", mixinStandardHelpOptions = true,
    description = "List jobs: by default those PENDING, HELD, STARTING or RUNNING (a user token sees its own).")
public final class QueueCommand extends ClientCommand
{
    @Option(names = "--all", description = "Include ended jobs.")
    boolean all;

    @Option(names = "--state", paramLabel = "STATE[,STATE...]", description = "Only jobs in these states.")
    String states;

    @Option(names = "--user", paramLabel = "USER", description = "Only this user's jobs (admin tokens).")
    String user;

    @Option(names = "--limit", paramLabel = "N", description = "At most N jobs (default 1000).")
    int limit = 1000;

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        final String stateFilter = states != null ? states : all ? "" : "PENDING,HELD,STARTING,RUNNING";
        final ArrayNode jobs = HeadClient.JSON.createArrayNode();
        long after = 0;
        while (jobs.size() < limit)
        {
            final int page = Math.min(1000, limit - jobs.size());
            final JsonNode answer = client.call("GET", "/jobs?limit=" + page + "&after=" + after
                + (stateFilter.isEmpty() ? "" : "&state=" + encode(stateFilter))
                + (user == null ? "" : "&owner=" + encode(user)), null);
            answer.get("jobs").forEach(jobs::add);
            if (!answer.has("next"))
            {
                break;
            }
            after = answer.get("next").asLong();
        }
        if (json())
        {
            final var root = HeadClient.JSON.createObjectNode();
            root.set("jobs", jobs);
            printJson(out, root);
            return 0;
        }
        final Table table = new Table("ID", "NAME", "USER", "STATE", "RANKS", "PRIO", "ATTEMPTS", "SUBMITTED",
            "REASON");
        for (final JsonNode job : jobs)
        {
            table.row(text(job, "id"), text(job, "name"), text(job, "owner"), text(job, "state"), text(job, "ranks"),
                text(job, "priority"), text(job, "attempts"), text(job, "submittedAt"),
                job.has("waiting") ? text(job, "waiting") : text(job, "reason"));
        }
        table.print(out);
        return 0;
    }

    private static String encode(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}

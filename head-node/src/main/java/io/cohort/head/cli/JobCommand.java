package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code cohort job events JOB}: a job's history and its webhook deliveries. */
@Command(name = "job", mixinStandardHelpOptions = true,
    description = "Look into one job: events (its history and webhook deliveries).",
    subcommands = {JobCommand.Events.class})
public final class JobCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code cohort job events JOB [--json]}. */
    @Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Show a job's events (state changes, attempts, progress) and its webhook deliveries: "
            + "status (PENDING, DELIVERED, FAILED), attempts, and the last HTTP status or error."})
    public static final class Events extends ClientCommand
    {
        private static final int PAGE = 1000;

        @Parameters(paramLabel = "JOB", description = "The job id.")
        long job;

        @Override
        protected int run(final HeadClient client, final PrintWriter out) throws IOException
        {
            final ArrayNode events = HeadClient.JSON.createArrayNode();
            long after = 0;
            while (true)
            {
                final JsonNode page = client.call("GET", "/events?job=" + job + "&after=" + after + "&limit=" + PAGE,
                    null).get("events");
                page.forEach(events::add);
                if (page.size() < PAGE)
                {
                    break;
                }
                after = page.get(page.size() - 1).get("seq").asLong();
            }
            final JsonNode deliveries = client.call("GET", "/jobs/" + job + "/deliveries", null).get("deliveries");
            if (json())
            {
                final ObjectNode both = HeadClient.JSON.createObjectNode();
                both.set("events", events);
                both.set("deliveries", deliveries);
                printJson(out, both);
                return 0;
            }
            final Table history = new Table("SEQ", "AT", "KIND", "STATE", "DETAIL");
            for (final JsonNode event : events)
            {
                final String detail = event.path("progress").isObject()
                    ? JobWatch.bar(event.get("progress"), false).substring("progress ".length())
                    : text(event, "detail");
                history.row(text(event, "seq"), text(event, "at"), text(event, "kind"), text(event, "state"), detail);
            }
            history.print(out);
            out.println();
            if (deliveries.isEmpty())
            {
                out.println("No webhook deliveries.");
                out.flush();
                return 0;
            }
            final Table sent = new Table("DELIVERY", "EVENT", "KIND", "URL", "STATUS", "ATTEMPTS", "LAST");
            for (final JsonNode delivery : deliveries)
            {
                final String last = delivery.has("lastError") ? text(delivery, "lastError")
                    : delivery.has("lastStatus") ? "HTTP " + text(delivery, "lastStatus") : "";
                final String next = delivery.has("nextAttemptAt") ? " (next " + text(delivery, "nextAttemptAt") + ")"
                    : "";
                sent.row(text(delivery, "id"), text(delivery, "event"), text(delivery, "kind"), text(delivery, "url"),
                    text(delivery, "status"), text(delivery, "attempts"), last + next);
            }
            sent.print(out);
            return 0;
        }
    }
}

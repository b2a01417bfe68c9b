package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code cohort nodes}: every compute node, its state and its slots in use. */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    description = "List the compute nodes: UP, DRAINING (takes nothing new) or DOWN (missed heartbeats).")
public final class NodesCommand extends ClientCommand
{
    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        final JsonNode answer = client.call("GET", "/nodes", null);
        if (json())
        {
            printJson(out, answer);
            return 0;
        }
        final Table table = new Table("NAME", "STATE", "SLOTS", "USED", "CORES", "MEMORY", "TRANSPORTS", "LAST SEEN");
        for (final JsonNode node : answer.get("nodes"))
        {
            final StringBuilder transports = new StringBuilder();
            node.get("transports").forEach(t -> transports.append(transports.isEmpty() ? "" : ",").append(t.asText()));
            table.row(text(node, "name"), text(node, "state"), text(node, "slots"), text(node, "slotsUsed"),
                text(node, "cores"), node.get("memoryBytes").asLong() / (1 << 20) + " MiB", transports.toString(),
                text(node, "lastSeen"));
        }
        table.print(out);
        return 0;
    }
}

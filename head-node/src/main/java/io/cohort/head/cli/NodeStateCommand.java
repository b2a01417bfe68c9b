package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;

/** Drains or resumes a node by name (admin). */
public abstract class NodeStateCommand extends ClientCommand
{
    @Parameters(paramLabel = "NAME", description = "The node's name (see cohort nodes).")
    String node;

    /**
     * The API action.
     *
     * @return drain or resume
     */
    protected abstract String action();

    @Override
    protected int run(final HeadClient client, final PrintWriter out) throws IOException
    {
        final JsonNode answer = client.call("POST", "/nodes/" + java.net.URLEncoder.encode(node,
            java.nio.charset.StandardCharsets.UTF_8) + "/" + action(), null);
        if (json())
        {
            printJson(out, answer);
        }
        else
        {
            out.println("Node " + node + ": " + answer.get("state").asText() + " (" + answer.get("slotsUsed").asInt()
                + " of " + answer.get("slots").asInt() + " slots in use)");
            out.flush();
        }
        return 0;
    }
}

package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --webhook URL[,events=KIND+KIND][,secret=S]} option of {@code cohort submit} and
 * {@code cohort token create}: parsed into the API's webhook JSON (the head node checks URL and kinds), and the
 * secrets of the answer printed once.
 */
final class WebhookOptions
{
    /** The option's help text, shared by both verbs. */
    static final String FORMAT = "URL[,events=KIND+KIND][,secret=S]";

    private static final Pattern OPTION = Pattern.compile(",(events|secret)=([^,]*)");

    private WebhookOptions()
    {
    }

    /**
     * The hooks as the API's {@code "webhooks"} array.
     *
     * @param spec    the command, for its errors
     * @param options the option's values
     * @return the array
     * @throws ParameterException if a value has no URL
     */
    static ArrayNode toJson(final CommandSpec spec, final List<String> options)
    {
        final ArrayNode hooks = HeadClient.JSON.createArrayNode();
        for (final String text : options)
        {
            hooks.add(hook(spec, text));
        }
        return hooks;
    }

    private static ObjectNode hook(final CommandSpec spec, final String text)
    {
        final Matcher option = OPTION.matcher(text);
        final ObjectNode hook = HeadClient.JSON.createObjectNode();
        int urlEnd = -1;
        while (option.find())
        {
            urlEnd = urlEnd < 0 ? option.start() : urlEnd;
            if ("events".equals(option.group(1)))
            {
                final ArrayNode events = hook.putArray("events");
                for (final String kind : option.group(2).split("\\+"))
                {
                    events.add(kind.strip());
                }
            }
            else
            {
                hook.put("secret", option.group(2));
            }
        }
        final String url = urlEnd < 0 ? text : text.substring(0, urlEnd);
        if (url.isBlank())
        {
            throw new ParameterException(spec.commandLine(), "--webhook '" + text + "' has no URL; use "
                + "--webhook https://host/path[,events=job.state+job.progress][,secret=S]");
        }
        hook.put("url", url);
        return hook;
    }

    /**
     * Prints the secret of every hook of an answer that shows them (the only time they are shown).
     *
     * @param out   where to
     * @param hooks the answer's {@code "webhooks"}
     */
    static void printSecrets(final PrintWriter out, final JsonNode hooks)
    {
        for (final JsonNode hook : hooks)
        {
            if (hook.hasNonNull("secret"))
            {
                out.println("Webhook " + hook.path("url").asText() + " secret " + hook.get("secret").asText()
                    + " (shown this once: verify Cohort-Signature with it)");
            }
        }
    }
}

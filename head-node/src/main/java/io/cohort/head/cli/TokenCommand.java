package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;

/** {@code cohort token create|list|revoke}: API tokens (admin). */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Manage API tokens (admin): create, list, revoke.",
    subcommands = {TokenCommand.Create.class, TokenCommand.List.class, TokenCommand.Revoke.class})
public final class TokenCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code cohort token create --user USER [--role user|admin] [--name NAME]}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a token; it is printed once and never stored (only its hash is).")
    public static final class Create extends ClientCommand
    {
        @Option(names = "--user", required = true, paramLabel = "USER", description = "The user it acts as.")
        String user;

        @Option(names = "--role", paramLabel = "user|admin", description = "user (own jobs, default) or admin.")
        String role = "user";

        @Option(names = "--name", paramLabel = "NAME", description = "A label (default: the user).")
        String name;

        @Option(names = "--webhook", paramLabel = WebhookOptions.FORMAT,
            description = {"A default webhook of the token (repeatable): jobs submitted with it that name no "
                + "webhooks of their own POST their events to URL, signed. events and secret as for cohort submit "
                + "--webhook; a secret the head node makes is printed once."})
        java.util.List<String> webhooks = new ArrayList<>();

        @Override
        protected int run(final HeadClient client, final PrintWriter out) throws IOException
        {
            final ObjectNode body = HeadClient.JSON.createObjectNode();
            body.put("user", user);
            body.put("role", role);
            if (name != null)
            {
                body.put("name", name);
            }
            if (!webhooks.isEmpty())
            {
                body.set("webhooks", WebhookOptions.toJson(spec, webhooks));
            }
            final JsonNode answer = client.call("POST", "/tokens", body);
            if (json())
            {
                printJson(out, answer);
            }
            else
            {
                out.println("Token " + answer.get("id").asText() + " for " + user + " (" + role + "); keep it secret, "
                    + "it is shown only now:");
                out.println(answer.get("token").asText());
                WebhookOptions.printSecrets(out, answer.path("webhooks"));
                out.flush();
            }
            return 0;
        }
    }

    /** {@code cohort token list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    public static final class List extends ClientCommand
    {
        @Override
        protected int run(final HeadClient client, final PrintWriter out) throws IOException
        {
            final JsonNode answer = client.call("GET", "/tokens", null);
            if (json())
            {
                printJson(out, answer);
                return 0;
            }
            final Table table = new Table("ID", "NAME", "USER", "ROLE", "CREATED", "REVOKED");
            for (final JsonNode token : answer.get("tokens"))
            {
                table.row(text(token, "id"), text(token, "name"), text(token, "user"), text(token, "role"),
                    text(token, "createdAt"), text(token, "revokedAt"));
            }
            table.print(out);
            return 0;
        }
    }

    /** {@code cohort token revoke ID}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token: it stops working now.")
    public static final class Revoke extends ClientCommand
    {
        @Parameters(paramLabel = "ID", description = "The token's id (cohort token list).")
        String id;

        @Override
        protected int run(final HeadClient client, final PrintWriter out) throws IOException
        {
            final JsonNode answer = client.call("DELETE", "/tokens/" + id, null);
            if (json())
            {
                printJson(out, answer);
            }
            else
            {
                out.println("Token " + id + " (" + answer.get("user").asText() + ") revoked");
                out.flush();
            }
            return 0;
        }
    }
}

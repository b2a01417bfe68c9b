package io.cohort.head.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where the CLI finds the head node: a client.json as made by {@code cohort head init}, taken from {@code --config},
 * else {@code COHORT_CONFIG}, else {@code ~/.cohort/config.json}.
 *
 * <pre>{@code
 * {"url": "https://head.example.org:8443", "token": "cohort_..._...", "caCertificate": "-----BEGIN ..."}
 * }</pre>
 *
 * @param url           the API's base URL
 * @param token         the bearer token
 * @param caCertificate the CA certificate to trust (PEM), or null for plain HTTP
 * @param source        the file it came from
 */
public record ClientConfig(String url, String token, String caCertificate, Path source)
{
    /**
     * Finds and reads the configuration.
     *
     * @param explicit the {@code --config} file, or null
     * @return the configuration
     * @throws IOException if no file is found or it lacks url or token (the message says where it looked)
     */
    public static ClientConfig load(final Path explicit) throws IOException
    {
        final Path file;
        if (explicit != null)
        {
            file = explicit;
        }
        else if (System.getenv("COHORT_CONFIG") != null && !System.getenv("COHORT_CONFIG").isEmpty())
        {
            file = Path.of(System.getenv("COHORT_CONFIG"));
        }
        else
        {
            file = Path.of(System.getProperty("user.home"), ".cohort", "config.json");
        }
        final JsonNode json;
        try
        {
            json = new ObjectMapper().readTree(Files.readString(file));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("no client configuration at " + file + "; give --config FILE, set COHORT_CONFIG, "
                + "or copy the client.json made by cohort head init to ~/.cohort/config.json", ex);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IOException("the client configuration " + file + " is not valid JSON (line "
                + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ": "
                + ex.getOriginalMessage().replaceFirst(" \\(start marker at .*", "")
                + "); use the client.json made by cohort head init", ex);
        }
        if (!json.isObject())
        {
            throw new IOException("the client configuration " + file + " is not a JSON object; use the client.json "
                + "made by cohort head init");
        }
        final String url = json.path("url").asText("");
        final String token = json.path("token").asText("");
        if (url.isEmpty() || token.isEmpty())
        {
            throw new IOException(file + " needs \"url\" and \"token\" (as in the client.json made by cohort head "
                + "init)");
        }
        final JsonNode ca = json.get("caCertificate");
        return new ClientConfig(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, token,
            ca == null || ca.isNull() ? null : ca.asText(), file);
    }
}

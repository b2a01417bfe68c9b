package io.cohort.head;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The head node's own settings, {@code DATA/head.json}, written by {@code cohort head init}.
 *
 * <pre>{@code
 * {"advertise": "head.example.org:8443", "apiPort": 8443, "agentPort": 8444, "tls": true}
 * }</pre>
 *
 * @param advertiseHost the name clients and agents reach the head node by
 * @param apiPort       the REST API's port (listening on every interface)
 * @param agentPort     the port agents connect to
 * @param tls           whether the API and the agent links use TLS with the certificate made at init
 */
public record HeadSettings(String advertiseHost, int apiPort, int agentPort, boolean tls)
{
    /** The settings file's name in the data directory. */
    public static final String FILE = "head.json";

    /**
     * Reads the settings of a data directory.
     *
     * @param dataDir the data directory
     * @return the settings
     * @throws IOException if the file is missing or unreadable (with what to do)
     */
    public static HeadSettings read(final Path dataDir) throws IOException
    {
        final JsonNode json;
        try
        {
            json = new ObjectMapper().readTree(Files.readString(dataDir.resolve(FILE)));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException(dataDir.resolve(FILE) + " does not exist: run cohort head init --data " + dataDir
                + " --advertise HOST:PORT first", ex);
        }
        final String advertise = json.path("advertise").asText();
        final int colon = advertise.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IOException(dataDir.resolve(FILE) + ": advertise '" + advertise + "' is not HOST:PORT");
        }
        return new HeadSettings(advertise.substring(0, colon), json.path("apiPort").asInt(),
            json.path("agentPort").asInt(), json.path("tls").asBoolean());
    }

    /**
     * The settings as JSON.
     *
     * @return the file's content
     */
    public ObjectNode toJson()
    {
        final ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("advertise", advertiseHost + ":" + apiPort);
        json.put("apiPort", apiPort);
        json.put("agentPort", agentPort);
        json.put("tls", tls);
        return json;
    }

    /**
     * The API's base URL as clients use it.
     *
     * @return e.g. {@code https://head.example.org:8443}
     */
    public String url()
    {
        return (tls ? "https" : "http") + "://" + advertiseHost + ":" + apiPort;
    }
}

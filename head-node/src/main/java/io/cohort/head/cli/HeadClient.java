package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.head.tls.Certificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The CLI's way to the head node's REST API: JSON in and out, the token from the client configuration, TLS trusting
 * only the cluster's CA. A refused request becomes a {@link RefusedException} carrying the head node's message.
 *
 * <pre>{@code
 * HeadClient client = new HeadClient(ClientConfig.load(null));
 * JsonNode job = client.call("GET", "/jobs/42", null);
 * }</pre>
 */
public final class HeadClient
{
    static final ObjectMapper JSON = new ObjectMapper();

    /** Three missed heartbeats of the head node's event stream. */
    private static final Duration SILENCE = Duration.ofSeconds(45);

    private final ClientConfig config;
    private final HttpClient http;

    /** The head node answered with an error status. */
    public static final class RefusedException extends IOException
    {
        private static final long serialVersionUID = 1L;

        private final int status;

        /**
         * A refusal.
         *
         * @param status  the HTTP status
         * @param message the head node's message
         */
        public RefusedException(final int status, final String message)
        {
            super(message);
            this.status = status;
        }

        /**
         * The HTTP status.
         *
         * @return e.g. 404
         */
        public int status()
        {
            return status;
        }
    }

    /**
     * A client for a configuration.
     *
     * @param config where the head node is
     * @throws IOException if the CA certificate cannot be used
     */
    public HeadClient(final ClientConfig config) throws IOException
    {
        this.config = config;
        final HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (config.caCertificate() != null)
        {
            builder.sslContext(Certificates.clientContext(config.caCertificate()));
        }
        this.http = builder.build();
    }

    /**
     * Calls the API with JSON.
     *
     * @param method the HTTP method
     * @param path   the path under /api/v1, with its query
     * @param body   the JSON body, or null
     * @return the answer's JSON
     * @throws IOException if the head node cannot be reached or refuses
     */
    public JsonNode call(final String method, final String path, final JsonNode body) throws IOException
    {
        final HttpResponse<String> response = send(method, path, body == null
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()),
            "application/json");
        return JSON.readTree(response.body());
    }

    /**
     * Uploads a file as a package.
     *
     * @param file the jar or zip
     * @return its content hash
     * @throws IOException if it cannot be read or the head node refuses it
     */
    public String upload(final Path file) throws IOException
    {
        final HttpResponse<String> response = send("PUT", "/packages", HttpRequest.BodyPublishers.ofFile(file),
            "application/octet-stream");
        return JSON.readTree(response.body()).get("package").asText();
    }

    /**
     * Reads output bytes.
     *
     * @param path the logs path with its query
     * @return the response (body and offsets in headers)
     * @throws IOException if the head node cannot be reached or refuses
     */
    public HttpResponse<String> text(final String path) throws IOException
    {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), null);
    }

    /**
     * One event of the head node's event stream.
     *
     * @param id    its sequence number
     * @param kind  what happened, e.g. {@code job.state}
     * @param data  the event as JSON
     */
    public record StreamEvent(long id, String kind, JsonNode data)
    {
    }

    /** What to do with each event of a stream. */
    @FunctionalInterface
    public interface EventListener
    {
        /**
         * Takes one event.
         *
         * @param event the event
         * @return true to keep listening, false to close the stream
         * @throws IOException to close the stream and pass the failure on
         */
        boolean onEvent(StreamEvent event) throws IOException;
    }

    /**
     * Follows {@code GET /api/v1/events} as Server-Sent Events, from after an event id, until the listener says
     * stop (returns true) or the connection ends (returns false: the caller reconnects with the last id it saw).
     * A connection that stays silent for three heartbeats (45 s) counts as ended.
     *
     * @param query       the query, e.g. {@code ?job=42}
     * @param lastEventId the last event already seen (0 for all)
     * @param listener    takes each event
     * @return true if the listener stopped, false if the connection ended
     * @throws IOException if the head node refuses, or the connection fails
     */
    public boolean follow(final String query, final long lastEventId, final EventListener listener)
        throws IOException
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create(config.url() + "/api/v1/events" + query))
            .header("Authorization", "Bearer " + config.token()).header("Accept", "text/event-stream")
            .header("Last-Event-ID", Long.toString(lastEventId)).timeout(Duration.ofSeconds(30)).GET().build();
        final HttpResponse<Stream<String>> response;
        try
        {
            response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        }
        catch (final ConnectException ex)
        {
            throw new IOException("cannot reach the head node at " + config.url() + " (from " + config.source()
                + "): connection refused; is cohort head start running?", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        try (Stream<String> lines = response.body())
        {
            if (response.statusCode() >= 400)
            {
                final String body = String.join("\n", lines.toList());
                String message = body;
                try
                {
                    message = Optional.ofNullable(JSON.readTree(body).get("error")).map(JsonNode::asText)
                        .orElse(body);
                }
                catch (final IOException ex)
                {
                    // not JSON: keep the body as it is
                }
                throw new RefusedException(response.statusCode(), message);
            }
            return read(lines, listener);
        }
        catch (final UncheckedIOException ex)
        {
            // The connection broke mid-stream: the caller reconnects from the last event it saw.
            return false;
        }
    }

    private static boolean read(final Stream<String> lines, final EventListener listener)
        throws IOException
    {
        final AtomicLong lastLine = new AtomicLong(System.nanoTime());
        // A watchdog: a half-open connection (the head node's host vanished) never ends by itself.
        final Thread watchdog = Thread.ofVirtual().start(() ->
        {
            try
            {
                while (System.nanoTime() - lastLine.get() < SILENCE.toNanos())
                {
                    Thread.sleep(1000);
                }
                lines.close();
            }
            catch (final InterruptedException ex)
            {
                // the stream ended first
            }
        });
        try
        {
            final Iterator<String> it = lines.iterator();
            long id = 0;
            String kind = null;
            final StringBuilder data = new StringBuilder();
            while (it.hasNext())
            {
                final String line = it.next();
                lastLine.set(System.nanoTime());
                if (line.isEmpty())
                {
                    if (!data.isEmpty())
                    {
                        final StreamEvent event = new StreamEvent(id, kind == null ? "message" : kind,
                            JSON.readTree(data.toString()));
                        data.setLength(0);
                        kind = null;
                        if (!listener.onEvent(event))
                        {
                            return true;
                        }
                    }
                    continue;
                }
                if (line.startsWith("id:"))
                {
                    id = Long.parseLong(field(line));
                }
                else if (line.startsWith("event:"))
                {
                    kind = field(line);
                }
                else if (line.startsWith("data:"))
                {
                    data.append(data.isEmpty() ? "" : "\n").append(field(line));
                }
            }
            return false;
        }
        finally
        {
            watchdog.interrupt();
        }
    }

    private static String field(final String line)
    {
        final String value = line.substring(line.indexOf(':') + 1);
        return value.startsWith(" ") ? value.substring(1) : value;
    }

    private HttpResponse<String> send(final String method, final String path,
        final HttpRequest.BodyPublisher body, final String contentType) throws IOException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.url() + "/api/v1" + path))
            .header("Authorization", "Bearer " + config.token()).timeout(Duration.ofMinutes(5)).method(method, body);
        if (contentType != null)
        {
            request.header("Content-Type", contentType);
        }
        final HttpResponse<String> response;
        try
        {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final ConnectException ex)
        {
            throw new IOException("cannot reach the head node at " + config.url() + " (from " + config.source()
                + "): connection refused; is cohort head start running?", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        if (response.statusCode() >= 400)
        {
            String message = response.body();
            try
            {
                message = Optional.ofNullable(JSON.readTree(response.body()).get("error")).map(JsonNode::asText)
                    .orElse(message);
            }
            catch (final IOException ex)
            {
                // not JSON: keep the body as it is
            }
            throw new RefusedException(response.statusCode(), message);
        }
        return response;
    }
}

package io.cohort.head.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One HTTP request and its answer, with the parsing every endpoint needs. Not thread-safe (one per request). */
final class Exchange
{
    /** The largest JSON request body (a stored spec must stay under the store's 1,000,000-character column). */
    static final int MAX_JSON_BYTES = 512 << 10;

    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final HttpExchange http;
    private final Map<String, String> query = new HashMap<>();

    Exchange(final HttpExchange http)
    {
        this.http = http;
        final String raw = http.getRequestURI().getRawQuery();
        if (raw != null)
        {
            for (final String pair : raw.split("&"))
            {
                if (pair.isEmpty())
                {
                    continue;
                }
                final int eq = pair.indexOf('=');
                final String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                final String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(key, value);
            }
        }
    }

    HttpExchange http()
    {
        return http;
    }

    String method()
    {
        return http.getRequestMethod();
    }

    String header(final String name)
    {
        return http.getRequestHeaders().getFirst(name);
    }

    String query(final String name)
    {
        return query.get(name);
    }

    long queryLong(final String name, final long fallback, final long min, final long max)
    {
        final String value = query.get(name);
        if (value == null || value.isEmpty())
        {
            return fallback;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max)
            {
                throw new ApiException(400, name, name + "=" + value + " is out of range; allowed " + min + " to "
                    + max);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new ApiException(400, name, name + "=" + value + " is not a whole number");
        }
    }

    JsonNode json()
    {
        final byte[] body = body(MAX_JSON_BYTES);
        if (body.length == 0)
        {
            throw new ApiException(400, null, "the request body is empty; send a JSON object");
        }
        try
        {
            return JSON.readTree(body);
        }
        catch (final JsonProcessingException ex)
        {
            final var where = ex.getLocation();
            throw new ApiException(400, null, "malformed JSON" + (where == null ? "" : " at line "
                + where.getLineNr() + " column " + where.getColumnNr()) + ": " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new ApiException(400, null, "cannot read the request body: " + ex.getMessage());
        }
    }

    private byte[] body(final int max)
    {
        try (InputStream in = http.getRequestBody())
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                out.write(buffer, 0, n);
                if (out.size() > max)
                {
                    throw new ApiException(413, null, "the request body is larger than " + max + " bytes");
                }
            }
            return out.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new ApiException(400, null, "cannot read the request body: " + ex.getMessage());
        }
    }

    void send(final int status, final JsonNode body) throws IOException
    {
        // Answers name users' jobs: no browser or proxy keeps them.
        http.getResponseHeaders().set("Cache-Control", "no-store");
        send(status, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
    }

    void send(final int status, final String contentType, final byte[] body) throws IOException
    {
        http.getResponseHeaders().set("Content-Type", contentType);
        // A HEAD answer has no body (the JDK's server warns of a length given for one, and drops the body anyway).
        final boolean head = "HEAD".equals(http.getRequestMethod());
        http.sendResponseHeaders(status, body.length == 0 || head ? -1 : body.length);
        if (body.length > 0 && !head)
        {
            try (OutputStream out = http.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}

package io.cohort.head.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A small HTTP client for API tests. */
public final class ApiClient
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String token;

    /**
     * A response.
     *
     * @param status the status
     * @param body   the body as text
     * @param raw    the full response
     */
    public record Response(int status, String body, HttpResponse<String> raw)
    {
        /**
         * The body as JSON.
         *
         * @return the parsed body
         * @throws IOException if it is not JSON
         */
        public JsonNode json() throws IOException
        {
            return JSON.readTree(body);
        }
    }

    /**
     * A client.
     *
     * @param http  the HTTP client
     * @param base  e.g. http://127.0.0.1:1234
     * @param token the bearer token, or null
     */
    public ApiClient(final HttpClient http, final String base, final String token)
    {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /**
     * Sends a request.
     *
     * @param method the method
     * @param path   the path under /api/v1
     * @param body   the body, or null
     * @return the response
     * @throws Exception if it cannot be sent
     */
    public Response send(final String method, final String path, final String body) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            request.header("Authorization", "Bearer " + token);
        }
        final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    /**
     * The same client with another token.
     *
     * @param other the token
     * @return a new client
     */
    public ApiClient withToken(final String other)
    {
        return new ApiClient(http, base, other);
    }
}

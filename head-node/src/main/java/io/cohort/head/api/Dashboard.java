package io.cohort.head.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's files (page, script, style sheet, icon), read once from the classpath
 * ({@code io/cohort/head/dashboard/}) and served with headers that keep a browser from caching them, framing them,
 * or running any script or style but these: the page builds every element from the API's JSON with
 * {@code textContent}, and the Content-Security-Policy makes injected markup inert even if that were ever missed.
 *
 * <pre>{@code
 * if (dashboard.serves(path)) { dashboard.send(exchange, path); }
 * }</pre>
 *
 * Thread-safe (immutable).
 */
final class Dashboard
{
    /**
     * Only this origin's script, style and connections; no plugins, frames, forms or base changes. The login form
     * is sent by the script (fetch); {@code form-action 'none'} keeps a browser from ever sending it as a URL.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record Asset(String contentType, byte[] body)
    {
    }

    private final Map<String, Asset> assets;

    Dashboard()
    {
        assets = Map.of(
            "/", asset("index.html", "text/html; charset=utf-8"),
            "/dashboard.js", asset("dashboard.js", "text/javascript; charset=utf-8"),
            "/dashboard.css", asset("dashboard.css", "text/css; charset=utf-8"),
            "/favicon.svg", asset("favicon.svg", "image/svg+xml"));
    }

    private static Asset asset(final String name, final String contentType)
    {
        final String resource = "/io/cohort/head/dashboard/" + name;
        try (InputStream in = Dashboard.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("the dashboard's " + resource + " is missing from the classpath");
            }
            return new Asset(contentType, in.readAllBytes());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the dashboard's " + resource, ex);
        }
    }

    boolean serves(final String path)
    {
        return assets.containsKey(path);
    }

    void send(final Exchange exchange, final String path) throws IOException
    {
        final Asset asset = assets.get(path);
        final var headers = exchange.http().getResponseHeaders();
        headers.set("Content-Security-Policy", CSP);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        exchange.send(200, asset.contentType(), asset.body());
    }
}

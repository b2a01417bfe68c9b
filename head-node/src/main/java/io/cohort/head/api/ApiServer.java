package io.cohort.head.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.cohort.head.auth.AuthException;
import io.cohort.head.auth.Caller;
import io.cohort.head.auth.Role;
import io.cohort.head.auth.Sessions;
import io.cohort.head.auth.Tokens;
import io.cohort.head.job.Job;
import io.cohort.head.job.JobSpec;
import io.cohort.head.job.JobSpecCodec;
import io.cohort.head.job.JobState;
import io.cohort.head.job.SpecException;
import io.cohort.head.job.Webhook;
import io.cohort.head.metrics.HeadMetrics;
import io.cohort.head.node.NodeStatus;
import io.cohort.head.service.HeadNode;
import io.cohort.head.service.QueueOrder;
import io.cohort.head.service.RequestException;
import io.cohort.head.store.Event;
import io.cohort.head.store.JobQuery;
import io.cohort.head.store.OutputStore;
import io.cohort.head.store.PackageStore;
import io.cohort.head.store.TokenRecord;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The REST API under {@code /api/v1}, served by the JDK's HTTP server (HTTPS when given an SSL context) with one
 * virtual thread per request. Every call needs a bearer token, or for reading, a dashboard session cookie
 * ({@link Sessions}); users see and act on their own jobs, admins on all jobs, nodes and tokens. Errors are JSON
 * {@code {"error": "...", "field": "..."}} with a 4xx status; the OpenAPI document is at
 * {@code /api/v1/openapi.json}. The dashboard ({@link Dashboard}) is served at {@code /}.
 *
 * <pre>{@code
 * ApiServer api = ApiServer.start(new InetSocketAddress(8443), head, tokens, packages, maxPackageBytes, sslContext);
 * }</pre>
 */
public final class ApiServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.cohort.head.api");
    private static final String PREFIX = "/api/v1";
    private static final int MAX_PAGE = 1000;
    private static final int MAX_LOG_CHUNK = 1 << 20;
    /** How often the event feed looks for new events. */
    private static final Duration EVENT_POLL = Duration.ofMillis(200);
    /** A comment on an idle event stream this often keeps proxies from closing it and finds departed clients. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final HttpServer server;
    private final ExecutorService executor;
    private final HeadNode head;
    private final Tokens tokens;
    private final PackageStore packages;
    private final long maxPackageBytes;
    private final JobSpecCodec codec = new JobSpecCodec();
    private final byte[] openApi;
    private final HeadMetrics metrics;
    private final EventFeed feed;
    private final Duration heartbeat;
    private final AtomicInteger streams = new AtomicInteger();
    private final Sessions sessions;
    private final Dashboard dashboard;
    private final boolean secure;

    private ApiServer(final HttpServer server, final HeadNode head, final Tokens tokens, final PackageStore packages,
        final long maxPackageBytes, final Duration heartbeat) throws IOException
    {
        this.server = server;
        this.heartbeat = heartbeat;
        this.head = head;
        this.tokens = tokens;
        this.packages = packages;
        this.maxPackageBytes = maxPackageBytes;
        try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json"))
        {
            this.openApi = in.readAllBytes();
        }
        this.sessions = new Sessions(tokens, InstantSource.system());
        this.dashboard = new Dashboard();
        this.secure = server instanceof HttpsServer;
        this.metrics = new HeadMetrics(head);
        this.feed = new EventFeed(head, EVENT_POLL, metrics::observe);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Starts serving.
     *
     * @param address         where to listen
     * @param head            the head node
     * @param tokens          the tokens
     * @param packages        the package store
     * @param maxPackageBytes the largest package upload
     * @param tls             the TLS context, or null for plain HTTP
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static ApiServer start(final InetSocketAddress address, final HeadNode head, final Tokens tokens,
        final PackageStore packages, final long maxPackageBytes, final SSLContext tls) throws IOException
    {
        return start(address, head, tokens, packages, maxPackageBytes, tls, HEARTBEAT);
    }

    /** As {@link #start(InetSocketAddress, HeadNode, Tokens, PackageStore, long, SSLContext)}, with the heartbeat. */
    static ApiServer start(final InetSocketAddress address, final HeadNode head, final Tokens tokens,
        final PackageStore packages, final long maxPackageBytes, final SSLContext tls, final Duration heartbeat)
        throws IOException
    {
        final HttpServer server;
        if (tls == null)
        {
            server = HttpServer.create(address, 256);
        }
        else
        {
            final HttpsServer https = HttpsServer.create(address, 256);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        final ApiServer api = new ApiServer(server, head, tokens, packages, maxPackageBytes, heartbeat);
        server.start();
        return api;
    }

    /**
     * The port served.
     *
     * @return the bound port
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * Event streams being served now.
     *
     * @return the number of open {@code text/event-stream} responses
     */
    int openStreams()
    {
        return streams.get();
    }

    private void handle(final HttpExchange http) throws IOException
    {
        final Exchange exchange = new Exchange(http);
        try (http)
        {
            try
            {
                route(exchange);
            }
            catch (final ApiException ex)
            {
                if (ex.allow() != null)
                {
                    http.getResponseHeaders().set("Allow", ex.allow());
                }
                error(exchange, ex.status(), ex.field(), ex.getMessage());
            }
            catch (final AuthException ex)
            {
                http.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                error(exchange, 401, null, ex.getMessage());
            }
            catch (final SpecException ex)
            {
                error(exchange, 400, ex.field(), ex.getMessage());
            }
            catch (final RequestException ex)
            {
                final int status = switch (ex.kind())
                {
                    case NOT_FOUND -> 404;
                    case FORBIDDEN -> 403;
                    case CONFLICT -> 409;
                };
                error(exchange, status, null, ex.getMessage());
            }
            catch (final Exception ex)
            {
                LOG.log(System.Logger.Level.ERROR, "request " + http.getRequestMethod() + " "
                    + http.getRequestURI() + " failed", ex);
                error(exchange, 500, null, "internal error: " + ex.getMessage());
            }
        }
    }

    private static void error(final Exchange exchange, final int status, final String field, final String message)
        throws IOException
    {
        final ObjectNode body = Exchange.JSON.createObjectNode();
        body.put("error", message);
        if (field != null)
        {
            body.put("field", field);
        }
        body.put("status", status);
        exchange.send(status, body);
    }

    private void route(final Exchange exchange) throws Exception
    {
        final String path = exchange.http().getRequestURI().getPath();
        if ("/metrics".equals(path))
        {
            if (!head.config().publicMetrics())
            {
                // Any live token will do, a user's too: the numbers name no job, owner or node.
                if (exchange.header("Authorization") == null)
                {
                    throw new AuthException("/metrics needs 'Authorization: Bearer TOKEN' (any user's token; in "
                        + "Prometheus, authorization: {credentials_file: FILE}), or start the head node with "
                        + "--public-metrics to serve it without one");
                }
                tokens.authenticate(exchange.header("Authorization"));
            }
            only(exchange.method(), "GET", () -> exchange.send(200, HeadMetrics.CONTENT_TYPE, metrics.scrape()));
            return;
        }
        if (dashboard.serves(path))
        {
            // The page holds no data: it is public, and fetches everything from the API once logged in.
            only(exchange.method(), "GET", () -> dashboard.send(exchange, path));
            return;
        }
        if (!path.startsWith(PREFIX + "/") && !path.equals(PREFIX))
        {
            throw new ApiException(404, null, "no such endpoint " + path + "; the API is under " + PREFIX
                + " (see " + PREFIX + "/openapi.json), the dashboard at /");
        }
        final List<String> parts = Arrays.stream(path.substring(PREFIX.length()).split("/"))
            .filter(p -> !p.isEmpty()).toList();
        final String method = exchange.method();
        final String first = parts.isEmpty() ? "" : parts.get(0);
        if ("session".equals(first) && parts.size() == 1)
        {
            session(exchange, method);
            return;
        }
        final String sessionId = Sessions.idFrom(exchange.http().getRequestHeaders().get("Cookie"));
        final Caller caller;
        final BooleanSupplier stillAllowed;
        if (exchange.header("Authorization") != null || sessionId == null)
        {
            caller = tokens.authenticate(exchange.header("Authorization"));
            stillAllowed = () -> tokens.live(caller.tokenId());
        }
        else
        {
            caller = sessions.authenticate(sessionId);
            stillAllowed = () -> sessions.valid(sessionId);
            if (!"GET".equals(method))
            {
                // A cookie is sent by the browser on its own; only reading is allowed with it, so no page can make
                // a logged-in browser act (cancel, submit) on its user's behalf.
                throw new ApiException(403, null, "a dashboard session may only read (GET); " + method + " " + path
                    + " needs 'Authorization: Bearer TOKEN'");
            }
        }
        switch (first)
        {
            case "openapi.json" -> only(method, "GET", () -> exchange.send(200, "application/json", openApi));
            case "jobs" -> jobs(exchange, caller, parts, method);
            case "packages" -> only(method, "PUT", () -> upload(exchange, parts));
            case "nodes" -> nodes(exchange, caller, parts, method);
            case "tokens" -> tokens(exchange, caller, parts, method);
            case "events" -> only(method, "GET", () -> events(exchange, caller, stillAllowed));
            default -> throw new ApiException(404, null, "no such endpoint " + path + " (see " + PREFIX
                + "/openapi.json)");
        }
    }

    /**
     * The dashboard's login and logout: POST with a bearer token opens a session and sets its cookie; GET tells who
     * the session is (401 without one); DELETE ends it and clears the cookie.
     */
    private void session(final Exchange exchange, final String method) throws Exception
    {
        final String id = Sessions.idFrom(exchange.http().getRequestHeaders().get("Cookie"));
        switch (method)
        {
            case "POST" ->
            {
                // Only a token opens a session: a session cannot renew itself past its lifetime.
                final Caller caller = tokens.authenticate(exchange.header("Authorization"));
                final Sessions.Opened opened;
                try
                {
                    opened = sessions.open(caller);
                }
                catch (final IllegalStateException ex)
                {
                    throw new ApiException(503, null, ex.getMessage());
                }
                sessions.close(id);
                exchange.http().getResponseHeaders().add("Set-Cookie", Sessions.cookie(opened, secure));
                exchange.send(201, sessionView(opened.caller(), opened.expiresAt()));
            }
            case "GET" ->
            {
                final Caller caller = sessions.authenticate(id);
                final Instant expiresAt = sessions.expiresAt(id);
                if (expiresAt == null)
                {
                    // Logged out by another request between the two lines above.
                    throw new AuthException("no dashboard session (logged out); log in again with your token");
                }
                exchange.send(200, sessionView(caller, expiresAt));
            }
            case "DELETE" ->
            {
                sessions.close(id);
                exchange.http().getResponseHeaders().add("Set-Cookie", Sessions.clearingCookie(secure));
                exchange.send(204, "application/json", new byte[0]);
            }
            default -> throw ApiException.methodNotAllowed(method, "POST, GET, DELETE",
                "POST logs in with a bearer token, DELETE logs out");
        }
    }

    private ObjectNode sessionView(final Caller caller, final Instant expiresAt)
    {
        final ObjectNode answer = Exchange.JSON.createObjectNode();
        answer.put("user", caller.user());
        answer.put("role", caller.role().name().toLowerCase(Locale.ROOT));
        answer.put("expiresAt", expiresAt.toString());
        // Where the dashboard's event stream starts: its snapshot, read after this answer, has every event up to it.
        answer.put("lastEvent", feed.latest());
        return answer;
    }

    /** An endpoint body that may throw what {@link #handle} maps to statuses. */
    private interface Action
    {
        void run() throws Exception;
    }

    private static void only(final String method, final String allowed, final Action action) throws Exception
    {
        if (!allowed.equals(method))
        {
            throw ApiException.methodNotAllowed(method, allowed, null);
        }
        action.run();
    }

    private void jobs(final Exchange exchange, final Caller caller, final List<String> parts, final String method)
        throws Exception
    {
        if (parts.size() == 1)
        {
            switch (method)
            {
                case "POST" -> submit(exchange, caller);
                case "GET" -> list(exchange, caller);
                default -> throw ApiException.methodNotAllowed(method, "GET, POST", "GET lists jobs, POST submits one");
            }
            return;
        }
        final long id = jobId(parts.get(1), "id");
        final Job job = visible(id, caller);
        if (parts.size() == 2)
        {
            only(method, "GET", () -> exchange.send(200, Views.jobDetail(job, head.waitingReason(id),
                head.attempts(id))));
            return;
        }
        final String verb = parts.get(2);
        if (parts.size() == 3 && "logs".equals(verb))
        {
            only(method, "GET", () -> logs(exchange, job));
            return;
        }
        if (parts.size() == 3 && "deliveries".equals(verb))
        {
            only(method, "GET", () ->
            {
                final ObjectNode answer = Exchange.JSON.createObjectNode();
                final ArrayNode list = answer.putArray("deliveries");
                head.deliveries(id).forEach(delivery -> list.add(Views.delivery(delivery)));
                exchange.send(200, answer);
            });
            return;
        }
        if (parts.size() != 3)
        {
            throw new ApiException(404, null, "no such endpoint under job " + id);
        }
        final String by = caller.user();
        final Job after = switch (verb)
        {
            case "cancel" -> post(method, () -> head.cancel(id, by));
            case "hold" -> post(method, () -> head.hold(id, by));
            case "release" -> post(method, () -> head.release(id, by));
            case "requeue" -> post(method, () -> head.requeue(id, by));
            default -> throw new ApiException(404, null, "no action '" + verb + "'; actions: cancel, hold, release, "
                + "requeue, logs, deliveries");
        };
        exchange.send(200, Views.job(after, head.waitingReason(id)));
    }

    /** A job action, which may be refused. */
    private interface JobAction
    {
        Job run() throws RequestException;
    }

    private static Job post(final String method, final JobAction action) throws RequestException
    {
        if (!"POST".equals(method))
        {
            throw ApiException.methodNotAllowed(method, "POST", null);
        }
        return action.run();
    }

    private void submit(final Exchange exchange, final Caller caller) throws Exception
    {
        final JsonNode body = exchange.json();
        JobSpec spec = codec.read(body);
        // A spec without a "webhooks" field gets its token's defaults; one that names some, or [], keeps its own.
        final boolean defaults = !body.has("webhooks") && !tokens.defaultWebhooks(caller.tokenId()).isEmpty();
        if (defaults)
        {
            spec = spec.withWebhooks(tokens.defaultWebhooks(caller.tokenId()));
        }
        for (final io.cohort.head.job.Dependency dependency : spec.dependencies())
        {
            // Another user's job is answered as no job at all, as everywhere else in the API.
            if (head.job(dependency.jobId()).filter(other -> caller.mayActOn(other.owner())).isEmpty())
            {
                throw new SpecException("dependencies", "no job " + dependency.jobId() + " to depend on");
            }
        }
        final Job job = head.submit(caller.user(), spec);
        final ObjectNode answer = Views.job(job, null);
        if (!spec.webhooks().isEmpty())
        {
            // The only answer that shows the job's own secrets (the ones the head node made included): keep them
            // now. A token's secrets were shown when the token was made.
            answer.set("webhooks", JobSpecCodec.writeWebhooks(spec.webhooks(), !defaults));
        }
        exchange.http().getResponseHeaders().set("Location", PREFIX + "/jobs/" + job.id());
        exchange.send(201, answer);
    }

    private void list(final Exchange exchange, final Caller caller) throws IOException
    {
        final Set<String> states = new LinkedHashSet<>();
        final String stateParam = exchange.query("state");
        if (stateParam != null && !stateParam.isEmpty())
        {
            for (final String state : stateParam.split(","))
            {
                final String name = state.strip().toUpperCase(Locale.ROOT);
                if (!JobState.NAMES.contains(name))
                {
                    throw new ApiException(400, "state", "unknown state '" + state + "'; states: " + JobState.NAMES);
                }
                states.add(name);
            }
        }
        String owner = exchange.query("owner");
        if (caller.role() != Role.ADMIN)
        {
            if (owner != null && !owner.equals(caller.user()))
            {
                throw new ApiException(403, "owner", "a user token sees only its own jobs (" + caller.user() + ")");
            }
            owner = caller.user();
        }
        final int limit = (int)exchange.queryLong("limit", 100, 1, MAX_PAGE);
        final long after = exchange.queryLong("after", 0, 0, Long.MAX_VALUE);
        final String order = exchange.query("order") == null ? "id" : exchange.query("order");
        if ("schedule".equals(order))
        {
            scheduleOrder(exchange, states, owner, limit, after);
            return;
        }
        if (!"id".equals(order) && !"newest".equals(order))
        {
            throw new ApiException(400, "order", "unknown order '" + order + "'; orders: id (default), newest, "
                + "schedule");
        }
        final List<Job> jobs = head.jobs(new JobQuery(states, owner, exchange.query("name"), after, limit,
            "newest".equals(order)));
        final ObjectNode answer = Exchange.JSON.createObjectNode();
        final ArrayNode list = answer.putArray("jobs");
        for (final Job job : jobs)
        {
            list.add(Views.job(job, head.waitingReason(job.id())));
        }
        if (jobs.size() == limit)
        {
            answer.put("next", jobs.get(jobs.size() - 1).id());
        }
        exchange.send(200, answer);
    }

    /**
     * The waiting jobs in the scheduler's order, each in line with its 1-based {@code position} (counted over every
     * user's jobs, so a user sees how many jobs are ahead of theirs).
     */
    private void scheduleOrder(final Exchange exchange, final Set<String> states, final String owner,
        final int limit, final long after) throws IOException
    {
        if (!states.isEmpty() || after != 0 || exchange.query("name") != null)
        {
            throw new ApiException(400, "order", "order=schedule lists the PENDING and HELD jobs in scheduling "
                + "order, in one page: drop state, name and after");
        }
        final QueueOrder queue = head.queueOrder();
        final ObjectNode answer = Exchange.JSON.createObjectNode();
        final ArrayNode list = answer.putArray("jobs");
        for (int i = 0; i < queue.jobs().size() && list.size() < limit; i++)
        {
            final Job job = queue.jobs().get(i);
            if (owner != null && !owner.equals(job.owner()))
            {
                continue;
            }
            final ObjectNode view = Views.job(job, head.waitingReason(job.id()));
            if (i < queue.inLine())
            {
                view.put("position", i + 1);
            }
            list.add(view);
        }
        exchange.send(200, answer);
    }

    private void logs(final Exchange exchange, final Job job) throws IOException
    {
        if (job.attempts() == 0)
        {
            throw new ApiException(404, null, "job " + job.id() + " has not started yet; no output");
        }
        final int attempt = (int)exchange.queryLong("attempt", job.attempts(), 1, job.attempts());
        final int rank = (int)exchange.queryLong("rank", 0, 0, job.spec().ranks() - 1);
        final long offset = exchange.queryLong("offset", 0, 0, Long.MAX_VALUE);
        final int max = (int)exchange.queryLong("max", 64 << 10, 1, MAX_LOG_CHUNK);
        final OutputStore.Chunk chunk = head.output(job.id(), attempt, rank, offset, max);
        final boolean ended = job.attempts() > attempt || !(job.state() instanceof JobState.Starting
            || job.state() instanceof JobState.Running);
        final Map<String, List<String>> headers = exchange.http().getResponseHeaders();
        headers.put("Cohort-Next-Offset", List.of(Long.toString(chunk.next())));
        headers.put("Cohort-Attempt", List.of(Integer.toString(attempt)));
        headers.put("Cohort-Attempt-Ended", List.of(Boolean.toString(ended)));
        exchange.send(200, "text/plain; charset=utf-8", chunk.data());
    }

    private void upload(final Exchange exchange, final List<String> parts) throws IOException
    {
        if (parts.size() != 1)
        {
            throw new ApiException(404, null, "upload with PUT " + PREFIX + "/packages");
        }
        final String length = exchange.header("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxPackageBytes)
        {
            throw new ApiException(413, "package", "the package has " + length + " bytes; the limit is "
                + maxPackageBytes + " (the head node's --max-package-bytes)");
        }
        final String hash;
        try (InputStream in = exchange.http().getRequestBody())
        {
            hash = packages.put(in, maxPackageBytes);
        }
        catch (final PackageStore.TooLargeException ex)
        {
            throw new ApiException(413, "package", ex.getMessage());
        }
        catch (final PackageStore.NotAZipException ex)
        {
            throw new ApiException(400, "package", ex.getMessage());
        }
        final ObjectNode answer = Exchange.JSON.createObjectNode();
        answer.put("package", hash);
        exchange.send(201, answer);
    }

    private void nodes(final Exchange exchange, final Caller caller, final List<String> parts, final String method)
        throws Exception
    {
        if (parts.size() == 1)
        {
            only(method, "GET", () ->
            {
                final ObjectNode answer = Exchange.JSON.createObjectNode();
                final ArrayNode list = answer.putArray("nodes");
                for (final Map.Entry<NodeStatus, Integer> node : head.nodes().entrySet())
                {
                    list.add(Views.node(node.getKey(), node.getValue()));
                }
                exchange.send(200, answer);
            });
            return;
        }
        if (parts.size() != 3 || !Set.of("drain", "resume").contains(parts.get(2)))
        {
            throw new ApiException(404, null, "node actions: POST " + PREFIX + "/nodes/NAME/drain or .../resume");
        }
        admin(caller, "drain or resume nodes");
        only(method, "POST", () ->
        {
            final NodeStatus status = head.setDrained(parts.get(1), "drain".equals(parts.get(2)));
            final int used = head.nodes().getOrDefault(status, 0);
            exchange.send(200, Views.node(status, used));
        });
    }

    private void tokens(final Exchange exchange, final Caller caller, final List<String> parts, final String method)
        throws Exception
    {
        admin(caller, "manage tokens");
        if (parts.size() == 1 && "GET".equals(method))
        {
            final ObjectNode answer = Exchange.JSON.createObjectNode();
            final ArrayNode list = answer.putArray("tokens");
            tokens.list().forEach(token -> list.add(Views.token(token)));
            exchange.send(200, answer);
            return;
        }
        if (parts.size() == 1)
        {
            if (!"POST".equals(method))
            {
                throw ApiException.methodNotAllowed(method, "GET, POST", "GET lists tokens, POST creates one");
            }
            createToken(exchange);
            return;
        }
        if (parts.size() == 2)
        {
            only(method, "DELETE", () ->
            {
                final TokenRecord revoked;
                try
                {
                    revoked = tokens.revoke(parts.get(1)).orElseThrow(() -> new ApiException(404, null,
                        "no live token '" + parts.get(1) + "'; cohort token list shows them"));
                }
                catch (final Tokens.LastAdminException ex)
                {
                    throw new ApiException(409, null, ex.getMessage());
                }
                exchange.send(200, Views.token(revoked));
            });
            return;
        }
        throw new ApiException(404, null, "token endpoints: GET/POST " + PREFIX + "/tokens, DELETE " + PREFIX
            + "/tokens/ID");
    }

    private void createToken(final Exchange exchange) throws IOException, SpecException
    {
        final JsonNode body = exchange.json();
        if (!body.isObject())
        {
            throw new ApiException(400, null, "send a JSON object {\"user\": NAME, \"role\": \"user\"|\"admin\", "
                + "\"name\": LABEL, \"webhooks\": [...]}");
        }
        final var fields = body.fieldNames();
        while (fields.hasNext())
        {
            final String field = fields.next();
            if (!Set.of("user", "role", "name", "webhooks").contains(field))
            {
                throw new ApiException(400, field, "unknown field; known fields: [name, role, user, webhooks]");
            }
        }
        // Checked as a job's are (SpecException names the field); hooks without a secret get one, shown once below.
        final List<Webhook> webhooks = JobSpecCodec.readWebhooks(body.get("webhooks"));
        final JsonNode user = body.get("user");
        if (user == null || !user.isTextual())
        {
            throw new ApiException(400, "user", "is required: the user the token acts as");
        }
        if (body.has("role") && !body.get("role").isTextual())
        {
            throw new ApiException(400, "role", "must be a string, \"user\" or \"admin\"; got " + body.get("role"));
        }
        final String roleText = body.has("role") ? body.get("role").asText() : "user";
        final Role role;
        try
        {
            role = Role.valueOf(roleText.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ApiException(400, "role", "'" + roleText + "' is neither \"user\" nor \"admin\"");
        }
        final String name = body.has("name") ? body.get("name").asText() : user.asText();
        final Tokens.Issued issued;
        try
        {
            issued = tokens.create(name, user.asText(), role, webhooks);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ApiException(400, ex.getMessage().startsWith("user") ? "user" : "name", ex.getMessage());
        }
        final ObjectNode answer = Views.token(issued.record());
        answer.put("token", issued.token());
        if (!webhooks.isEmpty())
        {
            // The only answer that shows the hooks' secrets.
            answer.set("webhooks", JobSpecCodec.writeWebhooks(webhooks, true));
        }
        exchange.send(201, answer);
    }

    private void events(final Exchange exchange, final Caller caller, final BooleanSupplier stillAllowed)
        throws Exception
    {
        long after = exchange.queryLong("after", 0, 0, Long.MAX_VALUE);
        final String accept = exchange.header("Accept");
        final boolean stream = accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
        final int limit = stream ? MAX_PAGE : (int)exchange.queryLong("limit", 100, 1, MAX_PAGE);
        final String jobParam = exchange.query("job");
        Long job = null;
        String owner = null;
        if (jobParam != null)
        {
            job = jobId(jobParam, "job");
            visible(job, caller);
        }
        else if (caller.role() != Role.ADMIN)
        {
            // Its own jobs' events and the nodes' (which a user may list anyway): what its dashboard shows.
            owner = caller.user();
        }
        if (stream)
        {
            final String lastEventId = exchange.header("Last-Event-ID");
            if (lastEventId != null && !lastEventId.isBlank())
            {
                // A reconnecting client's own position wins over the ?after= of the URL it first opened.
                after = lastEventId(lastEventId.strip());
            }
            streams.incrementAndGet();
            try
            {
                new EventStream(head, feed, job, owner, heartbeat, stillAllowed).serve(exchange.http(), after);
            }
            finally
            {
                streams.decrementAndGet();
            }
            return;
        }
        final ObjectNode answer = Exchange.JSON.createObjectNode();
        final ArrayNode list = answer.putArray("events");
        for (final Event event : head.events(after, job, owner, limit))
        {
            list.add(Views.event(event));
        }
        exchange.send(200, answer);
    }

    private static long lastEventId(final String text)
    {
        try
        {
            final long seq = Long.parseLong(text);
            if (seq >= 0)
            {
                return seq;
            }
        }
        catch (final NumberFormatException ex)
        {
            // answered below
        }
        throw new ApiException(400, "Last-Event-ID", "'" + text + "' is not an event id (the id: of an event, a "
            + "whole number >= 0)");
    }

    private Job visible(final long id, final Caller caller) throws RequestException
    {
        final Job job = head.job(id).orElse(null);
        if (job == null || !caller.mayActOn(job.owner()))
        {
            // Another user's job is reported as absent, so ids reveal nothing about other users' work.
            throw new RequestException(RequestException.Kind.NOT_FOUND, "no job " + id
                + (caller.role() == Role.ADMIN ? "" : " of user " + caller.user()));
        }
        return job;
    }

    private static void admin(final Caller caller, final String what)
    {
        if (caller.role() != Role.ADMIN)
        {
            throw new ApiException(403, null, "only an admin token may " + what + "; this token is user "
                + caller.user() + "'s");
        }
    }

    private static long jobId(final String text, final String field)
    {
        try
        {
            final long id = Long.parseLong(text);
            if (id > 0)
            {
                return id;
            }
        }
        catch (final NumberFormatException ex)
        {
            // answered below
        }
        throw new ApiException(400, field, "'" + text + "' is not a job id (a positive whole number)");
    }

    /**
     * The metrics served at {@code /metrics}.
     *
     * @return the metrics
     */
    public HeadMetrics metrics()
    {
        return metrics;
    }

    @Override
    public void close()
    {
        // First the feed: open event streams see it closed and return, so the executor below can finish.
        feed.close();
        server.stop(0);
        executor.close();
    }
}

package io.cohort.head.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@link JobSpec} from JSON, strictly (unknown fields and wrong types are errors naming the field), and
 * writes it back. The JSON form is what {@code POST /api/v1/jobs} takes and what the store keeps.
 *
 * <pre>{@code
 * {"name": "solver", "ranks": 8, "layout": {"ranksPerNode": 4}, "program": {"jar": "solver.jar"},
 *  "args": ["--size", "100"], "env": {"OMP_NUM_THREADS": "1"}, "jvmOptions": ["-Xmx1g"],
 *  "timeLimitSeconds": 600, "priority": 10,
 *  "retry": {"maxAttempts": 3, "exitCodes": [75], "backoffSeconds": 5, "onNodeLoss": "requeue"},
 *  "dependencies": {"afterSuccess": [41], "afterAny": []}, "package": "9f86d0...", "hold": false}
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class JobSpecCodec
{
    /** The most ranks one job may ask for. */
    public static final int MAX_RANKS = 100_000;
    /** The highest (and, negated, lowest) priority. */
    public static final int MAX_PRIORITY = 10_000;
    /** The longest time limit: one year. */
    public static final long MAX_TIME_LIMIT_SECONDS = 366L * 24 * 3600;
    /** The most attempts a retry policy may allow. */
    public static final int MAX_ATTEMPTS = 100;
    /** The most entries in args, env or jvmOptions. */
    public static final int MAX_LIST = 4096;

    private static final Set<String> TOP = Set.of("name", "ranks", "layout", "program", "args", "env", "jvmOptions",
        "timeLimitSeconds", "priority", "retry", "dependencies", "package", "hold", "webhooks");
    private static final Set<String> HOOK = Set.of("url", "events", "secret");
    /** The most webhooks one job may name. */
    public static final int MAX_WEBHOOKS = 10;
    /** The longest webhook URL. */
    public static final int MAX_URL = 2048;
    /** The shortest and longest webhook secret a user may choose. */
    public static final int MIN_SECRET = 16;
    /** The longest webhook secret. */
    public static final int MAX_SECRET = 256;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CLASS_NAME =
        Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    private final ObjectMapper json = new ObjectMapper();

    /**
     * Reads and validates a spec.
     *
     * @param node the request body
     * @return the spec
     * @throws SpecException naming the first bad field
     */
    public JobSpec read(final JsonNode node) throws SpecException
    {
        final ObjectNode top = object(node, "job spec");
        known(top, TOP, "");
        final String name = top.has("name") ? text(top.get("name"), "name") : "job";
        if (!NAME.matcher(name).matches())
        {
            throw new SpecException("name", "'" + name + "' must be 1-128 letters, digits, '.', '_' or '-'");
        }
        if (!top.has("ranks"))
        {
            throw new SpecException("ranks", "is required: the number of ranks, e.g. \"ranks\": 4");
        }
        final int ranks = (int)integer(top.get("ranks"), "ranks", 1, MAX_RANKS);
        final Layout layout = layout(top.get("layout"), ranks);
        if (!top.has("program"))
        {
            throw new SpecException("program", "is required: {\"jar\": PATH}, {\"classpath\": [...], "
                + "\"mainClass\": NAME} or {\"executable\": PATH}");
        }
        final Program program = program(top.get("program"));
        final List<String> args = strings(top.get("args"), "args");
        final Map<String, String> env = env(top.get("env"));
        final List<String> jvmOptions = strings(top.get("jvmOptions"), "jvmOptions");
        if (!jvmOptions.isEmpty() && program instanceof Program.Executable)
        {
            throw new SpecException("jvmOptions", "apply to jar and main-class programs, not to an executable");
        }
        final Duration timeLimit = top.has("timeLimitSeconds") && !top.get("timeLimitSeconds").isNull()
            ? Duration.ofSeconds(integer(top.get("timeLimitSeconds"), "timeLimitSeconds", 1, MAX_TIME_LIMIT_SECONDS))
            : null;
        final int priority = top.has("priority")
            ? (int)integer(top.get("priority"), "priority", -MAX_PRIORITY, MAX_PRIORITY) : 0;
        final RetryPolicy retry = retry(top.get("retry"));
        final List<Dependency> dependencies = dependencies(top.get("dependencies"));
        String packageHash = null;
        if (top.has("package") && !top.get("package").isNull())
        {
            packageHash = text(top.get("package"), "package");
            if (!SHA256.matcher(packageHash).matches())
            {
                throw new SpecException("package", "'" + packageHash + "' is not a SHA-256 in lower-case hex (64 "
                    + "characters), as returned by PUT /api/v1/packages");
            }
        }
        final boolean hold = top.has("hold") && bool(top.get("hold"), "hold");
        return new JobSpec(name, ranks, layout, program, args, env, jvmOptions, timeLimit, priority, retry,
            dependencies, packageHash, hold, webhooks(top.get("webhooks")));
    }

    /**
     * Writes a spec in the form {@link #read} accepts.
     *
     * @param spec the spec
     * @return its JSON
     */
    public ObjectNode write(final JobSpec spec)
    {
        final ObjectNode top = json.createObjectNode();
        top.put("name", spec.name());
        top.put("ranks", spec.ranks());
        final ObjectNode layout = top.putObject("layout");
        switch (spec.layout().kind())
        {
            case RANKS_PER_NODE -> layout.put("ranksPerNode", spec.layout().count());
            case NODES -> layout.put("nodes", spec.layout().count());
            default -> layout.put("packed", true);
        }
        final ObjectNode program = top.putObject("program");
        switch (spec.program())
        {
            case Program.Jar jar -> program.put("jar", jar.jar());
            case Program.MainClass main ->
            {
                final ArrayNode cp = program.putArray("classpath");
                main.classpath().forEach(cp::add);
                program.put("mainClass", main.mainClass());
            }
            case Program.Executable exe -> program.put("executable", exe.path());
        }
        final ArrayNode args = top.putArray("args");
        spec.args().forEach(args::add);
        final ObjectNode env = top.putObject("env");
        spec.env().forEach(env::put);
        final ArrayNode jvm = top.putArray("jvmOptions");
        spec.jvmOptions().forEach(jvm::add);
        if (spec.timeLimit() != null)
        {
            top.put("timeLimitSeconds", spec.timeLimit().toSeconds());
        }
        top.put("priority", spec.priority());
        final ObjectNode retry = top.putObject("retry");
        retry.put("maxAttempts", spec.retry().maxAttempts());
        final ArrayNode codes = retry.putArray("exitCodes");
        spec.retry().retryExitCodes().stream().sorted().forEach(codes::add);
        retry.put("backoffSeconds", spec.retry().backoff().toSeconds());
        retry.put("onNodeLoss", spec.retry().requeueOnNodeLoss() ? "requeue" : "fail");
        final ObjectNode deps = top.putObject("dependencies");
        final ArrayNode success = deps.putArray("afterSuccess");
        final ArrayNode any = deps.putArray("afterAny");
        for (final Dependency dep : spec.dependencies())
        {
            (dep.kind() == Dependency.Kind.AFTER_SUCCESS ? success : any).add(dep.jobId());
        }
        if (spec.packageHash() != null)
        {
            top.put("package", spec.packageHash());
        }
        top.put("hold", spec.hold());
        if (!spec.webhooks().isEmpty())
        {
            top.set("webhooks", writeWebhooks(spec.webhooks(), true));
        }
        return top;
    }

    /**
     * Webhooks as JSON: {@code [{"url": ..., "events": [...], "secret": ...}]}.
     *
     * @param hooks       the webhooks
     * @param withSecrets whether to include their secrets (only the stores and the answer that made them do)
     * @return the array
     */
    public static ArrayNode writeWebhooks(final List<Webhook> hooks, final boolean withSecrets)
    {
        final ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (final Webhook hook : hooks)
        {
            final ObjectNode h = array.addObject();
            h.put("url", hook.url());
            final ArrayNode events = h.putArray("events");
            hook.events().forEach(events::add);
            if (withSecrets)
            {
                h.put("secret", hook.secret());
            }
        }
        return array;
    }

    /**
     * Reads webhooks as a job spec's {@code "webhooks"} field has them (also a token's defaults), with the same
     * checks and field names ({@code webhooks[0].url}); a hook without a secret gets a new one.
     *
     * @param node the array, or null
     * @return the webhooks (empty for null)
     * @throws SpecException naming the field and the problem
     */
    public static List<Webhook> readWebhooks(final JsonNode node) throws SpecException
    {
        return webhooks(node);
    }

    /**
     * The same without the webhooks' secrets: what the API shows after submission.
     *
     * @param spec the spec
     * @return its JSON, secrets left out
     */
    public ObjectNode writeWithoutSecrets(final JobSpec spec)
    {
        final ObjectNode top = write(spec);
        if (top.get("webhooks") instanceof ArrayNode hooks)
        {
            hooks.forEach(hook -> ((ObjectNode)hook).remove("secret"));
        }
        return top;
    }

    /**
     * Reads {@code "webhooks": [{"url": ..., "events": [...], "secret": ...}]}; a hook without a secret gets a new
     * one ({@link Webhook#newSecret()}), returned once in the answer to the submission.
     */
    private static List<Webhook> webhooks(final JsonNode node) throws SpecException
    {
        final List<Webhook> hooks = new ArrayList<>();
        if (node == null || node.isNull())
        {
            return hooks;
        }
        if (!node.isArray())
        {
            throw new SpecException("webhooks", "must be an array of {\"url\": ..., \"events\": [...]}, got "
                + kind(node));
        }
        if (node.size() > MAX_WEBHOOKS)
        {
            throw new SpecException("webhooks", node.size() + " webhooks; at most " + MAX_WEBHOOKS);
        }
        for (int i = 0; i < node.size(); i++)
        {
            final String at = "webhooks[" + i + "]";
            final ObjectNode hook = object(node.get(i), at);
            known(hook, HOOK, at + ".");
            final String url = webhookUrl(text(hook.get("url"), at + ".url"), at + ".url");
            final List<String> events = hook.has("events") ? strings(hook.get("events"), at + ".events")
                : Webhook.ALL;
            if (events.isEmpty())
            {
                throw new SpecException(at + ".events", "is empty; name some of " + Webhook.ALL
                    + " or leave the field out for all of them");
            }
            for (int e = 0; e < events.size(); e++)
            {
                if (!Webhook.KINDS.contains(events.get(e)))
                {
                    throw new SpecException(at + ".events[" + e + "]", "'" + events.get(e) + "' is not an event "
                        + "kind a webhook can get; known: " + Webhook.ALL);
                }
            }
            String secret = null;
            if (hook.has("secret") && !hook.get("secret").isNull())
            {
                secret = text(hook.get("secret"), at + ".secret");
                if (secret.length() < MIN_SECRET || secret.length() > MAX_SECRET || secret.isBlank())
                {
                    throw new SpecException(at + ".secret", "has " + secret.length() + " characters; use "
                        + MIN_SECRET + " to " + MAX_SECRET + ", or leave it out and the head node makes one");
                }
            }
            hooks.add(new Webhook(url, List.copyOf(new java.util.LinkedHashSet<>(events)),
                secret == null ? Webhook.newSecret() : secret));
        }
        return hooks;
    }

    private static String webhookUrl(final String url, final String field) throws SpecException
    {
        if (url.length() > MAX_URL)
        {
            throw new SpecException(field, "has " + url.length() + " characters; at most " + MAX_URL);
        }
        final java.net.URI uri;
        try
        {
            uri = new java.net.URI(url);
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new SpecException(field, "'" + url + "' is not a URL: " + ex.getReason());
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https"))
        {
            throw new SpecException(field, "'" + url + "' must start with http:// or https://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty())
        {
            throw new SpecException(field, "'" + url + "' has no host, e.g. https://ci.example.org/cohort");
        }
        if (uri.getUserInfo() != null)
        {
            throw new SpecException(field, "'" + url + "' must not carry a user name or password; the deliveries "
                + "are signed with the hook's secret instead");
        }
        return url;
    }

    private static Layout layout(final JsonNode node, final int ranks) throws SpecException
    {
        if (node == null || node.isNull())
        {
            return Layout.packed();
        }
        final ObjectNode layout = object(node, "layout");
        known(layout, Set.of("ranksPerNode", "nodes", "packed"), "layout.");
        final int rules = (layout.has("ranksPerNode") ? 1 : 0) + (layout.has("nodes") ? 1 : 0)
            + (layout.has("packed") ? 1 : 0);
        if (rules > 1)
        {
            throw new SpecException("layout", "give one of ranksPerNode, nodes or packed, not several");
        }
        if (layout.has("ranksPerNode"))
        {
            final int perNode = (int)integer(layout.get("ranksPerNode"), "layout.ranksPerNode", 1, MAX_RANKS);
            if (ranks % perNode != 0)
            {
                throw new SpecException("layout.ranksPerNode", ranks + " ranks do not divide into nodes of "
                    + perNode + "; use a divisor of " + ranks + ", or layout.nodes");
            }
            return Layout.ranksPerNode(perNode);
        }
        if (layout.has("nodes"))
        {
            final int nodes = (int)integer(layout.get("nodes"), "layout.nodes", 1, MAX_RANKS);
            if (nodes > ranks)
            {
                throw new SpecException("layout.nodes", nodes + " nodes for " + ranks + " ranks would leave a node "
                    + "empty; use at most " + ranks + " nodes");
            }
            return Layout.nodes(nodes);
        }
        if (layout.has("packed"))
        {
            bool(layout.get("packed"), "layout.packed");
        }
        return Layout.packed();
    }

    private static Program program(final JsonNode node) throws SpecException
    {
        final ObjectNode program = object(node, "program");
        known(program, Set.of("jar", "classpath", "mainClass", "executable"), "program.");
        final int forms = (program.has("jar") ? 1 : 0) + (program.has("classpath") ? 1 : 0)
            + (program.has("executable") ? 1 : 0);
        if (forms != 1)
        {
            throw new SpecException("program", "give exactly one of jar, classpath (with mainClass) or executable; "
                + "got " + forms);
        }
        if (program.has("mainClass") && !program.has("classpath"))
        {
            throw new SpecException("program.mainClass", "goes with program.classpath; a jar's main class comes "
                + "from its manifest");
        }
        if (program.has("jar"))
        {
            return new Program.Jar(path(program.get("jar"), "program.jar"));
        }
        if (program.has("executable"))
        {
            return new Program.Executable(path(program.get("executable"), "program.executable"));
        }
        final List<String> classpath = strings(program.get("classpath"), "program.classpath");
        if (classpath.isEmpty())
        {
            throw new SpecException("program.classpath", "is empty; give at least one directory or jar");
        }
        if (!program.has("mainClass"))
        {
            throw new SpecException("program.mainClass", "is required with program.classpath");
        }
        final String main = text(program.get("mainClass"), "program.mainClass");
        if (!CLASS_NAME.matcher(main).matches())
        {
            throw new SpecException("program.mainClass", "'" + main + "' is not a Java class name");
        }
        return new Program.MainClass(classpath, main);
    }

    private static String path(final JsonNode node, final String field) throws SpecException
    {
        final String path = text(node, field);
        if (path.isBlank() || path.indexOf('\0') >= 0)
        {
            throw new SpecException(field, "must be a non-empty path");
        }
        return path;
    }

    private static Map<String, String> env(final JsonNode node) throws SpecException
    {
        final Map<String, String> env = new LinkedHashMap<>();
        if (node == null || node.isNull())
        {
            return env;
        }
        final ObjectNode object = object(node, "env");
        if (object.size() > MAX_LIST)
        {
            throw new SpecException("env", object.size() + " variables; at most " + MAX_LIST);
        }
        for (final Map.Entry<String, JsonNode> entry : object.properties())
        {
            if (!ENV_NAME.matcher(entry.getKey()).matches())
            {
                throw new SpecException("env", "'" + entry.getKey() + "' is not a variable name (letters, digits, "
                    + "'_', not starting with a digit)");
            }
            env.put(entry.getKey(), text(entry.getValue(), "env." + entry.getKey()));
        }
        return env;
    }

    private static RetryPolicy retry(final JsonNode node) throws SpecException
    {
        if (node == null || node.isNull())
        {
            return RetryPolicy.none();
        }
        final ObjectNode retry = object(node, "retry");
        known(retry, Set.of("maxAttempts", "exitCodes", "backoffSeconds", "onNodeLoss"), "retry.");
        final int max = retry.has("maxAttempts")
            ? (int)integer(retry.get("maxAttempts"), "retry.maxAttempts", 1, MAX_ATTEMPTS) : 1;
        final Set<Integer> codes = new LinkedHashSet<>();
        if (retry.has("exitCodes"))
        {
            final JsonNode array = retry.get("exitCodes");
            if (!array.isArray())
            {
                throw new SpecException("retry.exitCodes", "must be an array of exit codes, e.g. [75]");
            }
            for (int i = 0; i < array.size(); i++)
            {
                codes.add((int)integer(array.get(i), "retry.exitCodes[" + i + "]", 1, 255));
            }
        }
        final long backoff = retry.has("backoffSeconds")
            ? integer(retry.get("backoffSeconds"), "retry.backoffSeconds", 0,
                RetryPolicy.MAX_BACKOFF.toSeconds()) : 0;
        boolean requeue = true;
        if (retry.has("onNodeLoss"))
        {
            final String onLoss = text(retry.get("onNodeLoss"), "retry.onNodeLoss");
            if (!"requeue".equals(onLoss) && !"fail".equals(onLoss))
            {
                throw new SpecException("retry.onNodeLoss", "'" + onLoss + "' is neither \"requeue\" nor \"fail\"");
            }
            requeue = "requeue".equals(onLoss);
        }
        return new RetryPolicy(max, codes, Duration.ofSeconds(backoff), requeue);
    }

    private static List<Dependency> dependencies(final JsonNode node) throws SpecException
    {
        final List<Dependency> deps = new ArrayList<>();
        if (node == null || node.isNull())
        {
            return deps;
        }
        final ObjectNode object = object(node, "dependencies");
        known(object, Set.of("afterSuccess", "afterAny"), "dependencies.");
        for (final String kind : List.of("afterSuccess", "afterAny"))
        {
            final JsonNode array = object.get(kind);
            if (array == null || array.isNull())
            {
                continue;
            }
            if (!array.isArray())
            {
                throw new SpecException("dependencies." + kind, "must be an array of job ids, e.g. [41]");
            }
            for (int i = 0; i < array.size(); i++)
            {
                final long id = integer(array.get(i), "dependencies." + kind + "[" + i + "]", 1, Long.MAX_VALUE);
                deps.add(new Dependency("afterSuccess".equals(kind) ? Dependency.Kind.AFTER_SUCCESS
                    : Dependency.Kind.AFTER_ANY, id));
            }
        }
        return deps;
    }

    private static ObjectNode object(final JsonNode node, final String field) throws SpecException
    {
        if (!(node instanceof ObjectNode object))
        {
            throw new SpecException(field, "must be a JSON object, got " + kind(node));
        }
        return object;
    }

    private static void known(final ObjectNode node, final Set<String> fields, final String prefix)
        throws SpecException
    {
        final Iterator<String> names = node.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            if (!fields.contains(name))
            {
                throw new SpecException(prefix + name, "unknown field; known fields here: "
                    + fields.stream().sorted().toList());
            }
        }
    }

    private static String text(final JsonNode node, final String field) throws SpecException
    {
        if (node == null || !node.isTextual())
        {
            throw new SpecException(field, "must be a string, got " + kind(node));
        }
        final int nul = node.textValue().indexOf('\0');
        if (nul >= 0)
        {
            // A process's arguments and environment are C strings: the NUL would end the value there.
            throw new SpecException(field, "holds a NUL character (\\u0000) at index " + nul
                + "; no program argument, variable or path can");
        }
        return node.textValue();
    }

    private static boolean bool(final JsonNode node, final String field) throws SpecException
    {
        if (node == null || !node.isBoolean())
        {
            throw new SpecException(field, "must be true or false, got " + kind(node));
        }
        return node.booleanValue();
    }

    private static long integer(final JsonNode node, final String field, final long min, final long max)
        throws SpecException
    {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong())
        {
            throw new SpecException(field, "must be a whole number, got " + kind(node));
        }
        final long value = node.longValue();
        if (value < min || value > max)
        {
            throw new SpecException(field, value + " is out of range; allowed " + min + " to " + max);
        }
        return value;
    }

    private static List<String> strings(final JsonNode node, final String field) throws SpecException
    {
        final List<String> list = new ArrayList<>();
        if (node == null || node.isNull())
        {
            return list;
        }
        if (!node.isArray())
        {
            throw new SpecException(field, "must be an array of strings, got " + kind(node));
        }
        if (node.size() > MAX_LIST)
        {
            throw new SpecException(field, node.size() + " entries; at most " + MAX_LIST);
        }
        for (int i = 0; i < node.size(); i++)
        {
            list.add(text(node.get(i), field + "[" + i + "]"));
        }
        return list;
    }

    private static String kind(final JsonNode node)
    {
        if (node == null || node.isMissingNode())
        {
            return "nothing";
        }
        if (node.isNull())
        {
            return "null";
        }
        final String text = node.toString();
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
            + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}

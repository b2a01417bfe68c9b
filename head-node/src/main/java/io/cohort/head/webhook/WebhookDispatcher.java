package io.cohort.head.webhook;

import io.cohort.head.api.EventJson;
import io.cohort.head.job.Webhook;
import io.cohort.head.service.WebhookSettings;
import io.cohort.head.store.Delivery;
import io.cohort.head.store.Event;
import io.cohort.head.store.JobStore;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Delivers job events to the webhooks their jobs name. One virtual thread follows the committed event log (never the
 * scheduler's transaction): for each event a hook wants it records a PENDING {@link Delivery}, together with the
 * position reached, so after a restart nothing is taken up twice or skipped. The same thread hands due deliveries to a
 * small executor of its own, which POSTs them (JDK HttpClient, with a time-out) and records the outcome: DELIVERED on
 * a 2xx, else PENDING again after an exponential backoff, or FAILED with its reason after the last attempt. A slow or
 * dead receiver therefore only ever holds one of the executor's threads for one time-out; the scheduler never waits
 * for it.
 *
 * <p>Delivery is at least once: a POST cut off by a restart is made again. Receivers tell repeats apart by the
 * {@code Cohort-Delivery} header.
 *
 * <pre>{@code
 * WebhookDispatcher hooks = WebhookDispatcher.start(store, WebhookSettings.defaults(), metrics::webhookDelivery);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class WebhookDispatcher implements AutoCloseable
{
    /** The header naming the event's kind. */
    public static final String EVENT_HEADER = "Cohort-Event";
    /** The header carrying the delivery's id (the same on every attempt). */
    public static final String DELIVERY_HEADER = "Cohort-Delivery";
    /** Outcome of an attempt answered with a 2xx. */
    public static final String DELIVERED = "delivered";
    /** Outcome of a failed attempt that will be tried again. */
    public static final String RETRIED = "retried";
    /** Outcome of a failed last attempt. */
    public static final String FAILED = "failed";

    private static final System.Logger LOG = System.getLogger("io.cohort.head.webhook");
    private static final long POLL_MILLIS = 200;
    private static final int PAGE = 500;

    private final JobStore store;
    private final WebhookSettings settings;
    private final Consumer<String> outcomes;
    private final InstantSource clock;
    private final HttpClient http;
    private final ExecutorService executor;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread loop;
    private volatile boolean closed;
    private long cursor;

    private WebhookDispatcher(final JobStore store, final WebhookSettings settings, final Consumer<String> outcomes,
        final InstantSource clock)
    {
        this.store = store;
        this.settings = settings;
        this.outcomes = outcomes;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
        this.executor = Executors.newFixedThreadPool(settings.concurrency(), task ->
            Thread.ofPlatform().daemon().name("cohort-webhook").unstarted(task));
        this.cursor = store.webhookCursor();
        this.loop = Thread.ofVirtual().name("cohort-webhooks").start(this::run);
    }

    /**
     * Starts following the event log and delivering, resuming the PENDING deliveries of an earlier run.
     *
     * @param store    the store (events, jobs' webhooks, deliveries)
     * @param settings attempts, backoff, time-out, concurrency
     * @param outcomes told {@link #DELIVERED}, {@link #RETRIED} or {@link #FAILED} after each attempt (metrics)
     * @return the running dispatcher
     */
    public static WebhookDispatcher start(final JobStore store, final WebhookSettings settings,
        final Consumer<String> outcomes)
    {
        return new WebhookDispatcher(store, settings, outcomes, InstantSource.system());
    }

    private void run()
    {
        while (!closed)
        {
            try
            {
                takeUpEvents();
                sendDue();
            }
            catch (final RuntimeException ex)
            {
                if (!closed)
                {
                    LOG.log(System.Logger.Level.WARNING, "webhook dispatch failed; trying again", ex);
                }
            }
            try
            {
                Thread.sleep(POLL_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /** Turns the events after the cursor into deliveries, a page at a time. */
    private void takeUpEvents()
    {
        while (!closed)
        {
            final List<Event> page = store.events(cursor, null, PAGE);
            if (page.isEmpty())
            {
                return;
            }
            final Set<Long> jobs = new HashSet<>();
            page.stream().filter(e -> e.jobId() != null).forEach(e -> jobs.add(e.jobId()));
            final Map<Long, List<Webhook>> hooks = store.webhooks(jobs);
            final List<Delivery> made = new ArrayList<>();
            final Instant now = clock.instant();
            for (final Event event : page)
            {
                final List<Webhook> wanted = event.jobId() == null ? null : hooks.get(event.jobId());
                for (int i = 0; wanted != null && i < wanted.size(); i++)
                {
                    if (wanted.get(i).wants(event.kind()))
                    {
                        made.add(new Delivery("dlv_" + event.seq() + "_" + i, event.jobId(), i, event.seq(),
                            event.kind(), wanted.get(i).url(), Delivery.Status.PENDING, 0, null, null, now, now,
                            now));
                    }
                }
            }
            final long last = page.getLast().seq();
            store.addDeliveries(made, last);
            cursor = last;
            if (page.size() < PAGE)
            {
                return;
            }
        }
    }

    /** Hands due deliveries to the executor, keeping at most two per thread queued. */
    private void sendDue()
    {
        final int room = settings.concurrency() * 2 - inFlight.size();
        if (room <= 0)
        {
            return;
        }
        for (final Delivery delivery : store.dueDeliveries(clock.instant(), room + inFlight.size()))
        {
            if (inFlight.add(delivery.id()))
            {
                try
                {
                    executor.execute(() -> attempt(delivery));
                }
                catch (final RejectedExecutionException ex)
                {
                    inFlight.remove(delivery.id());
                    return;
                }
            }
        }
    }

    private void attempt(final Delivery delivery)
    {
        try
        {
            final List<Event> events = store.events(delivery.eventSeq() - 1, null, 1);
            final List<Webhook> hooks = store.webhooks(List.of(delivery.jobId())).get(delivery.jobId());
            if (events.isEmpty() || events.getFirst().seq() != delivery.eventSeq() || hooks == null
                || delivery.hook() >= hooks.size())
            {
                record(delivery, Delivery.Status.FAILED, delivery.attempts(), null,
                    "the event or the hook no longer exists", FAILED);
                return;
            }
            post(delivery, events.getFirst(), hooks.get(delivery.hook()));
        }
        catch (final InterruptedException ex)
        {
            // The delivery stays PENDING with this attempt uncounted, and is made again.
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            if (!closed)
            {
                LOG.log(System.Logger.Level.WARNING, "webhook delivery " + delivery.id() + " failed", ex);
            }
        }
        finally
        {
            inFlight.remove(delivery.id());
        }
    }

    private void post(final Delivery delivery, final Event event, final Webhook hook) throws InterruptedException
    {
        final byte[] body = EventJson.of(event).toString().getBytes(StandardCharsets.UTF_8);
        final int attempt = delivery.attempts() + 1;
        final HttpRequest request = HttpRequest.newBuilder(URI.create(hook.url())).timeout(settings.timeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "cohort-webhooks/1")
            .header(EVENT_HEADER, event.kind())
            .header(DELIVERY_HEADER, delivery.id())
            .header(WebhookSignature.HEADER, WebhookSignature.sign(hook.secret(), clock.instant(), body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        Integer status = null;
        String error;
        try
        {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300)
            {
                record(delivery, Delivery.Status.DELIVERED, attempt, status, null, DELIVERED);
                return;
            }
            error = "HTTP " + status;
        }
        catch (final HttpTimeoutException ex)
        {
            error = "no answer within " + settings.timeout().toMillis() + " ms";
        }
        catch (final java.net.ConnectException ex)
        {
            error = "cannot connect to " + request.uri().getHost() + ":" + port(request.uri())
                + " (ConnectException: refused or unreachable)";
        }
        catch (final IOException ex)
        {
            error = describe(ex);
        }
        if (closed)
        {
            // The answer may be the executor's interrupt, not the receiver's: counted after the restart instead.
            return;
        }
        if (attempt >= settings.maxAttempts())
        {
            record(delivery, Delivery.Status.FAILED, attempt, status, error + " (attempt " + attempt + " of "
                + settings.maxAttempts() + ")", FAILED);
        }
        else
        {
            final Instant now = clock.instant();
            store.updateDelivery(delivery.id(), Delivery.Status.PENDING, attempt, status, error, now,
                now.plus(settings.backoffAfter(attempt)));
            outcomes.accept(RETRIED);
        }
    }

    private void record(final Delivery delivery, final Delivery.Status status, final int attempts,
        final Integer httpStatus, final String error, final String outcome)
    {
        final Instant now = clock.instant();
        store.updateDelivery(delivery.id(), status, attempts, httpStatus, error, now, now);
        outcomes.accept(outcome);
    }

    private static int port(final URI uri)
    {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String describe(final IOException ex)
    {
        Throwable cause = ex;
        while (cause.getMessage() == null && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        final String name = ex.getClass().getSimpleName();
        return cause.getMessage() == null ? name : cause.getMessage() + " (" + name + ")";
    }

    /** Stops taking up events and sending; deliveries not finished stay PENDING for the next start. Idempotent. */
    @Override
    public void close()
    {
        closed = true;
        // No interrupts: a thread interrupted inside the store's file I/O would close the database's channel. The
        // loop sees the flag within one poll; POSTs in flight are cut off by shutting the client down.
        http.shutdownNow();
        executor.shutdown();
        try
        {
            loop.join(TimeUnit.SECONDS.toMillis(10));
            if (!executor.awaitTermination(10, TimeUnit.SECONDS))
            {
                LOG.log(System.Logger.Level.WARNING, "webhook deliveries still running after 10 s at close");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

package io.cohort.head.api;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.sun.net.httpserver.HttpExchange;
import io.cohort.head.service.HeadNode;
import io.cohort.head.store.Event;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One Server-Sent Events response of {@code GET /api/v1/events}: every event after a sequence number, then new ones
 * as they are committed, each as {@code id: SEQ}, {@code event: KIND}, {@code data: JSON}; a comment line as a
 * heartbeat when nothing happened for a while. It runs on the request's virtual thread until the client goes away
 * (a write fails), the API closes, or its token or dashboard session stops being valid (checked at every wake-up,
 * so within a heartbeat). Memory per stream is one page of events, whatever the backlog.
 */
final class EventStream
{
    /** Events read from the store at a time. */
    static final int PAGE = 500;

    /** How long a browser's EventSource waits before reconnecting (it sends Last-Event-ID then). */
    private static final int RETRY_MILLIS = 1000;

    private static final ObjectWriter COMPACT = Exchange.JSON.writer();

    private final HeadNode head;
    private final EventFeed feed;
    private final Long job;
    private final String owner;
    private final Duration heartbeat;
    private final BooleanSupplier stillAllowed;

    EventStream(final HeadNode head, final EventFeed feed, final Long job, final String owner,
        final Duration heartbeat, final BooleanSupplier stillAllowed)
    {
        this.owner = owner;
        this.stillAllowed = stillAllowed;
        this.head = head;
        this.feed = feed;
        this.job = job;
        this.heartbeat = heartbeat;
    }

    /**
     * Streams until the client leaves or the feed closes.
     *
     * @param http  the exchange, headers not yet sent
     * @param after the last sequence number the client has
     * @throws InterruptedException if interrupted
     */
    void serve(final HttpExchange http, final long after) throws InterruptedException
    {
        http.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        http.getResponseHeaders().set("Cache-Control", "no-cache");
        // Tells a reverse proxy (nginx) not to buffer the stream.
        http.getResponseHeaders().set("X-Accel-Buffering", "no");
        try
        {
            http.sendResponseHeaders(200, 0);
            final OutputStream out = http.getResponseBody();
            write(out, "retry: " + RETRY_MILLIS + "\n: events after " + after + "\n\n");
            long cursor = after;
            long checked = -1;
            long quietSince = System.nanoTime();
            while (!feed.closed() && stillAllowed.getAsBoolean())
            {
                final long seen = feed.latest();
                if (seen > checked)
                {
                    // Every event up to `seen` is committed, so this query finds all of ours up to it.
                    final long sent = sendAfter(out, cursor);
                    if (sent != cursor)
                    {
                        cursor = sent;
                        quietSince = System.nanoTime();
                    }
                    checked = seen;
                }
                if (System.nanoTime() - quietSince >= heartbeat.toNanos())
                {
                    write(out, ": heartbeat\n\n");
                    quietSince = System.nanoTime();
                }
                final long left = heartbeat.toNanos() - (System.nanoTime() - quietSince);
                feed.awaitAfter(checked, Duration.ofNanos(Math.max(1, left)));
            }
        }
        catch (final IOException ex)
        {
            // The client went away: nothing to answer, and the exchange is closed by the caller.
        }
    }

    /** Sends every event of this stream after {@code cursor}, a page at a time; returns the last one sent. */
    private long sendAfter(final OutputStream out, final long cursor) throws IOException
    {
        long last = cursor;
        while (true)
        {
            final List<Event> events = head.events(last, job, owner, PAGE);
            if (events.isEmpty())
            {
                return last;
            }
            final StringBuilder text = new StringBuilder(events.size() * 160);
            for (final Event event : events)
            {
                text.append("id: ").append(event.seq()).append("\nevent: ").append(event.kind()).append("\ndata: ")
                    .append(COMPACT.writeValueAsString(Views.event(event))).append("\n\n");
            }
            write(out, text.toString());
            last = events.get(events.size() - 1).seq();
            if (events.size() < PAGE)
            {
                return last;
            }
        }
    }

    private static void write(final OutputStream out, final String text) throws IOException
    {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}

package io.cohort.head.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.head.job.Progress;
import io.cohort.head.store.Event;

/**
 * An event as JSON: the object of {@code GET /api/v1/events}, of each Server-Sent Event's {@code data:} line, and
 * the body of each webhook delivery.
 * <pre>{@code
 * {"seq": 57, "at": "2026-11-22T07:40:01.123Z", "job": 42, "kind": "job.progress", "detail": "step 30",
 *  "progress": {"done": 30, "total": 100, "message": "step 30", "at": "2026-11-22T07:40:01.123Z"}}
 * }</pre>
 * Stateless.
 */
public final class EventJson
{
    private EventJson()
    {
    }

    /**
     * The event's JSON.
     *
     * @param event the event
     * @return a new object
     */
    public static ObjectNode of(final Event event)
    {
        final ObjectNode node = Exchange.JSON.createObjectNode();
        node.put("seq", event.seq());
        node.put("at", event.at().toString());
        if (event.jobId() != null)
        {
            node.put("job", event.jobId());
        }
        if (event.node() != null)
        {
            node.put("node", event.node());
        }
        node.put("kind", event.kind());
        if (event.state() != null)
        {
            node.put("state", event.state());
        }
        if (event.detail() != null)
        {
            node.put("detail", event.detail());
        }
        if (event.progress() != null)
        {
            progress(node, event.progress());
        }
        return node;
    }

    /**
     * Sets {@code "progress": {"done", "total", "message", "at"}}, or {@code "progress": null}: the contract the
     * dashboard and the CLI rely on.
     *
     * @param node     the object to set it on
     * @param progress the progress, or null
     */
    static void progress(final ObjectNode node, final Progress progress)
    {
        if (progress == null)
        {
            node.putNull("progress");
            return;
        }
        final ObjectNode p = node.putObject("progress");
        p.put("done", progress.done());
        p.put("total", progress.total());
        p.put("message", progress.message());
        p.put("at", progress.at().toString());
    }
}

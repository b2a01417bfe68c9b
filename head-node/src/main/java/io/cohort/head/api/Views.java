package io.cohort.head.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.head.job.Attempt;
import io.cohort.head.job.Job;
import io.cohort.head.job.JobSpecCodec;
import io.cohort.head.job.JobState;
import io.cohort.head.job.RankBlock;
import io.cohort.head.node.NodeStatus;
import io.cohort.head.store.Delivery;
import io.cohort.head.store.Event;
import io.cohort.head.store.TokenRecord;

import java.time.Instant;
import java.util.List;

/** The JSON shapes of the API's answers (the OpenAPI document describes the same). Stateless. */
final class Views
{
    private static final JobSpecCodec CODEC = new JobSpecCodec();

    private Views()
    {
    }

    static ObjectNode job(final Job job, final String waiting)
    {
        final ObjectNode node = Exchange.JSON.createObjectNode();
        node.put("id", job.id());
        node.put("name", job.spec().name());
        node.put("owner", job.owner());
        node.put("state", job.state().name());
        if (job.state().reason() != null)
        {
            node.put("reason", job.state().reason());
        }
        if (job.state() instanceof JobState.Failed failed)
        {
            node.put("exitCode", failed.exitCode());
        }
        else if (job.state() instanceof JobState.Completed)
        {
            node.put("exitCode", 0);
        }
        if (job.state() instanceof JobState.Pending pending && pending.notBefore() != null)
        {
            node.put("notBefore", pending.notBefore().toString());
        }
        if (waiting != null)
        {
            node.put("waiting", waiting);
        }
        node.put("ranks", job.spec().ranks());
        node.put("priority", job.spec().priority());
        node.put("attempts", job.attempts());
        node.put("submittedAt", job.submittedAt().toString());
        time(node, "endedAt", job.endedAt());
        EventJson.progress(node, job.progress());
        return node;
    }

    static ObjectNode jobDetail(final Job job, final String waiting, final List<Attempt> attempts)
    {
        final ObjectNode node = job(job, waiting);
        node.set("spec", CODEC.writeWithoutSecrets(job.spec()));
        final ArrayNode list = node.putArray("attemptList");
        for (final Attempt attempt : attempts)
        {
            final ObjectNode a = list.addObject();
            a.put("number", attempt.number());
            a.put("status", attempt.status().name());
            final ArrayNode placement = a.putArray("placement");
            for (final RankBlock block : attempt.placement())
            {
                placement.addObject().put("node", block.node()).put("firstRank", block.firstRank())
                    .put("count", block.count());
            }
            a.put("startedAt", attempt.startedAt().toString());
            time(a, "endedAt", attempt.endedAt());
            if (attempt.exitCode() != null)
            {
                a.put("exitCode", attempt.exitCode());
            }
            if (attempt.reason() != null)
            {
                a.put("reason", attempt.reason());
            }
        }
        return node;
    }

    static ObjectNode node(final NodeStatus status, final int used)
    {
        final ObjectNode node = Exchange.JSON.createObjectNode();
        node.put("name", status.name());
        node.put("state", status.state().name());
        node.put("slots", status.capacity().slots());
        node.put("slotsUsed", used);
        node.put("cores", status.capacity().cores());
        node.put("memoryBytes", status.capacity().memoryBytes());
        final ArrayNode transports = node.putArray("transports");
        status.capacity().transports().forEach(transports::add);
        if (status.address() != null)
        {
            node.put("address", status.address());
        }
        time(node, "lastSeen", status.lastSeen());
        return node;
    }

    static ObjectNode token(final TokenRecord token)
    {
        final ObjectNode node = Exchange.JSON.createObjectNode();
        node.put("id", token.id());
        node.put("name", token.name());
        node.put("user", token.user());
        node.put("role", token.role());
        node.put("createdAt", token.createdAt().toString());
        time(node, "revokedAt", token.revokedAt());
        if (!token.webhooks().isEmpty())
        {
            node.set("webhooks", JobSpecCodec.writeWebhooks(token.webhooks(), false));
        }
        return node;
    }

    static ObjectNode event(final Event event)
    {
        return EventJson.of(event);
    }

    static ObjectNode delivery(final Delivery delivery)
    {
        final ObjectNode node = Exchange.JSON.createObjectNode();
        node.put("id", delivery.id());
        node.put("event", delivery.eventSeq());
        node.put("kind", delivery.kind());
        node.put("hook", delivery.hook());
        node.put("url", delivery.url());
        node.put("status", delivery.status().name());
        node.put("attempts", delivery.attempts());
        if (delivery.lastStatus() != null)
        {
            node.put("lastStatus", delivery.lastStatus());
        }
        if (delivery.lastError() != null)
        {
            node.put("lastError", delivery.lastError());
        }
        node.put("createdAt", delivery.createdAt().toString());
        node.put("updatedAt", delivery.updatedAt().toString());
        if (delivery.status() == Delivery.Status.PENDING)
        {
            node.put("nextAttemptAt", delivery.nextAt().toString());
        }
        return node;
    }

    private static void time(final ObjectNode node, final String field, final Instant time)
    {
        if (time != null)
        {
            node.put(field, time.toString());
        }
    }
}

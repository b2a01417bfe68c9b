package io.cohort.head.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;

/**
 * Follows one job through the head node's event stream until it ends, showing its state changes and progress (one line
 * with a progress bar updated in place on a terminal, a line per change otherwise), and turns its end into an exit
 * code. A dropped connection is
 * re-opened with the last event id seen, so no change is missed; the head node being unreachable for longer than
 * {@link #GIVE_UP} ends the watch with {@link ClientCommand#REFUSED}.
 *
 * <p>Exit codes: 0 for COMPLETED; the job's exit code for FAILED (1 if it has none in 1..255);
 * {@link #CANCELLED_EXIT} for CANCELLED, {@link #TIMED_OUT_EXIT} for TIMED_OUT, {@link #DEAD_LETTER_EXIT} for
 * DEAD_LETTER. Not thread-safe (one per command).
 */
final class JobWatch
{
    /** Exit code for a CANCELLED job: 128 + SIGTERM, what its ranks were stopped with. */
    static final int CANCELLED_EXIT = 143;
    /** Exit code for a TIMED_OUT job: 124, as GNU timeout(1) uses. */
    static final int TIMED_OUT_EXIT = 124;
    /** Exit code for a DEAD_LETTER job (its retries are exhausted). */
    static final int DEAD_LETTER_EXIT = 125;

    /** How long to keep reconnecting before giving up. */
    static final Duration GIVE_UP = Duration.ofMinutes(2);

    private static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT", "DEAD_LETTER");
    private static final long MAX_BACKOFF_MILLIS = 5000;
    private static final int LIVE_WIDTH = 79;
    private static final int BAR_WIDTH = 20;

    private final HeadClient client;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean live;
    private long lastEventId;
    private String state = "?";
    private String progress = "";
    private String finalState;
    private int width;

    JobWatch(final HeadClient client, final PrintWriter out, final PrintWriter err, final boolean live)
    {
        this.client = client;
        this.out = out;
        this.err = err;
        this.live = live;
    }

    /**
     * Whether standard output is a terminal (then the state is one line, redrawn).
     *
     * @return true on a terminal
     */
    static boolean onTerminal()
    {
        return System.console() != null && System.console().isTerminal();
    }

    /**
     * Watches until the job ends.
     *
     * @param job the job id
     * @return the exit code for the job's end
     * @throws IOException if the head node refuses (no such job) or stays unreachable
     */
    int watch(final long job) throws IOException
    {
        long backoff = 250;
        long failingSince = 0;
        while (true)
        {
            try
            {
                if (client.follow("?job=" + job, lastEventId, event -> show(job, event)))
                {
                    return finish(job);
                }
                failingSince = 0;
            }
            catch (final HeadClient.RefusedException ex)
            {
                throw ex;
            }
            catch (final IOException ex)
            {
                final long now = System.nanoTime();
                failingSince = failingSince == 0 ? now : failingSince;
                if (now - failingSince > GIVE_UP.toNanos())
                {
                    throw new IOException(ex.getMessage() + " (gave up watching job " + job + " after "
                        + GIVE_UP.toSeconds() + " s)", ex);
                }
            }
            if (!live)
            {
                err.println("cohort: the event stream ended; reconnecting after event " + lastEventId);
                err.flush();
            }
            try
            {
                Thread.sleep(backoff);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    /** Shows one event; false once the job has reached a final state. */
    private boolean show(final long job, final HeadClient.StreamEvent event)
    {
        lastEventId = event.id();
        final JsonNode data = event.data();
        final String detail = ClientCommand.text(data, "detail");
        final String line;
        if ("job.submitted".equals(event.kind()) || "job.state".equals(event.kind()))
        {
            state = ClientCommand.text(data, "state");
            line = "job " + job + ": " + state + (detail == null ? "" : " - " + detail);
        }
        else if (event.kind().startsWith("attempt."))
        {
            line = "job " + job + ": " + state + " - " + (detail == null ? event.kind() : detail);
        }
        else if ("job.progress".equals(event.kind()) && data.path("progress").isObject())
        {
            progress = bar(data.path("progress"), live);
            line = "job " + job + ": " + state + " " + progress;
        }
        else
        {
            return true;
        }
        if (live)
        {
            // Redraw in place: carriage return, the line, and blanks over what a longer previous line left. Cut to
            // fit an 80-column terminal: a line that wraps could not be redrawn by a carriage return. The bar stays
            // while other events pass by.
            final String full = line.contains(progress) ? line : line + " " + progress;
            final String shown = full.length() > LIVE_WIDTH ? full.substring(0, LIVE_WIDTH - 3) + "..." : full;
            out.print("\r" + shown + " ".repeat(Math.max(0, width - shown.length())));
            width = shown.length();
        }
        else
        {
            out.println(line);
        }
        out.flush();
        if (FINAL.contains(state))
        {
            finalState = state;
            return false;
        }
        return true;
    }

    /**
     * A progress object as text: with a bar on a terminal ({@code [######--------------] 30/100 30% step 30}),
     * without one otherwise ({@code progress 30/100 (30%) step 30}); {@code 30 done} when the total is unknown.
     *
     * @param progress the job's or event's {@code progress} object
     * @param withBar  whether to draw the bar
     * @return the text
     */
    static String bar(final JsonNode progress, final boolean withBar)
    {
        final long done = progress.path("done").asLong();
        final long total = progress.path("total").asLong();
        final JsonNode message = progress.path("message");
        final String text = message.isTextual() && !message.asText().isEmpty() ? " " + message.asText() : "";
        if (total <= 0)
        {
            return (withBar ? "" : "progress ") + done + " done" + text;
        }
        final int percent = (int)(done * 100.0 / total);
        if (!withBar)
        {
            return "progress " + done + "/" + total + " (" + percent + "%)" + text;
        }
        final int filled = (int)(done * BAR_WIDTH / total);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total + " " + percent
            + "%" + text;
    }

    private int finish(final long job) throws IOException
    {
        if (live)
        {
            out.println();
        }
        final JsonNode node = client.call("GET", "/jobs/" + job, null);
        final String reason = ClientCommand.text(node, "reason");
        final String ended = finalState == null ? ClientCommand.text(node, "state") : finalState;
        final int code = switch (ended)
        {
            case "COMPLETED" -> 0;
            case "FAILED" ->
            {
                final int exit = node.has("exitCode") ? node.get("exitCode").asInt() : 1;
                yield exit >= 1 && exit <= 255 ? exit : 1;
            }
            case "CANCELLED" -> CANCELLED_EXIT;
            case "TIMED_OUT" -> TIMED_OUT_EXIT;
            default -> DEAD_LETTER_EXIT;
        };
        out.println("job " + job + " " + ended + (reason == null ? "" : ": " + reason) + " (exit code " + code + ")");
        out.flush();
        return code;
    }
}

package io.cohort.head.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The {@code Cohort-Signature} header of a webhook delivery: {@code t=<unix seconds>,v1=<hex>} where the hex is
 * HMAC-SHA256, keyed with the hook's secret (its UTF-8 bytes), over the bytes of {@code "<t>."} followed by the exact
 * request body. A receiver recomputes it, compares in constant time, and refuses a {@code t} too far from its clock
 * (replays).
 * <pre>{@code
 * String header = WebhookSignature.sign(secret, Instant.now(), body);
 * boolean ok = WebhookSignature.verify(secret, header, body, Instant.now(), Duration.ofMinutes(5));
 * }</pre>
 * Stateless.
 */
public final class WebhookSignature
{
    /** The signature's header. */
    public static final String HEADER = "Cohort-Signature";

    private WebhookSignature()
    {
    }

    /**
     * The header value for a body signed at a time.
     *
     * @param secret the hook's secret
     * @param at     the signing time (its whole seconds are {@code t})
     * @param body   the exact body bytes
     * @return {@code t=...,v1=...}
     */
    public static String sign(final String secret, final Instant at, final byte[] body)
    {
        final long t = at.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(secret, t, body));
    }

    /**
     * Checks a header against a body.
     *
     * @param secret    the hook's secret
     * @param header    the {@code Cohort-Signature} value received
     * @param body      the exact body bytes received
     * @param now       the receiver's time
     * @param tolerance how far {@code t} may be from now
     * @return true if a v1 signature matches and t is within tolerance
     */
    public static boolean verify(final String secret, final String header, final byte[] body, final Instant now,
        final Duration tolerance)
    {
        if (header == null)
        {
            return false;
        }
        Long t = null;
        String v1 = null;
        for (final String part : header.split(","))
        {
            final int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals("t"))
            {
                try
                {
                    t = Long.parseLong(part.substring(eq + 1).strip());
                }
                catch (final NumberFormatException ex)
                {
                    return false;
                }
            }
            else if (eq > 0 && part.substring(0, eq).strip().equals("v1"))
            {
                v1 = part.substring(eq + 1).strip();
            }
        }
        if (t == null || v1 == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds())
        {
            return false;
        }
        final byte[] expected = HexFormat.of().formatHex(mac(secret, t, body)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(final String secret, final long t, final byte[] body)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", ex);
        }
    }
}

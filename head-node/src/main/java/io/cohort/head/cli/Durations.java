package io.cohort.head.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations as people write them on command lines: {@code 90}, {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}.
 */
public final class Durations
{
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})([smhd]?)");

    private Durations()
    {
    }

    /**
     * Parses a duration.
     *
     * @param option the option's name, for the message
     * @param text   the value
     * @return the duration
     * @throws IllegalArgumentException naming the option and the accepted forms
     */
    public static Duration parse(final String option, final String text)
    {
        final Matcher match = FORM.matcher(text.strip());
        if (!match.matches())
        {
            throw new IllegalArgumentException(option + " '" + text + "' is not a duration; write e.g. 90, 90s, 10m, "
                + "2h or 1d");
        }
        final long amount = Long.parseLong(match.group(1));
        return switch (match.group(2))
        {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /**
     * Writes a duration short.
     *
     * @param seconds the duration in seconds
     * @return e.g. {@code 1h30m}
     */
    public static String format(final long seconds)
    {
        if (seconds % 3600 == 0 && seconds >= 3600)
        {
            return seconds / 3600 + "h";
        }
        if (seconds >= 3600)
        {
            return seconds / 3600 + "h" + (seconds % 3600) / 60 + "m";
        }
        return seconds % 60 == 0 && seconds >= 60 ? seconds / 60 + "m" : seconds + "s";
    }
}

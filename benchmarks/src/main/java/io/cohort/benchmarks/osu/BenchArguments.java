package io.cohort.benchmarks.osu;

import java.util.Arrays;

/** Parsing shared by the benchmark commands and their rank programs. */
final class BenchArguments
{
    /** OSU's default sweep: powers of two from 1 B to 4 MiB. */
    static final String DEFAULT_SIZES = defaultSizes();

    private BenchArguments()
    {
    }

    static long[] sizes(final String list)
    {
        final long[] sizes;
        try
        {
            sizes = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(BenchArguments::parseSize).toArray();
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--sizes " + list + " is not a comma-separated list of byte counts "
                + "(e.g. 8,1024,1M)", ex);
        }
        if (sizes.length == 0)
        {
            throw new IllegalArgumentException("--sizes is empty; give e.g. 8,1024,65536");
        }
        for (final long size : sizes)
        {
            if (size < 0 || size > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("message size " + size + " is outside 0.." + Integer.MAX_VALUE);
            }
        }
        return sizes;
    }

    private static long parseSize(final String text)
    {
        final char unit = Character.toUpperCase(text.charAt(text.length() - 1));
        final long scale = switch (unit)
        {
            case 'K' -> 1024L;
            case 'M' -> 1024L * 1024;
            case 'G' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        final String digits = scale == 1 ? text : text.substring(0, text.length() - 1);
        return Long.parseLong(digits) * scale;
    }

    static long max(final long[] sizes)
    {
        return Arrays.stream(sizes).max().orElse(0);
    }

    private static String defaultSizes()
    {
        final StringBuilder sizes = new StringBuilder();
        for (long size = 1; size <= 4L << 20; size <<= 1)
        {
            sizes.append(sizes.isEmpty() ? "" : ",").append(size);
        }
        return sizes.toString();
    }
}

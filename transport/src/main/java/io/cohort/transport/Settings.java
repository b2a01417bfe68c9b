package io.cohort.transport;

import java.util.Map;

/** Reads the environment variables by which providers are tuned per job, with errors that name the variable. */
public final class Settings
{
    private Settings()
    {
    }

    /**
     * A whole-number setting.
     *
     * @param env      the environment
     * @param name     the variable
     * @param fallback its value when unset
     * @return the value
     * @throws TransportException if it is set but not a whole number
     */
    public static int integer(final Map<String, String> env, final String name, final int fallback)
    {
        final String text = env.get(name);
        if (text == null)
        {
            return fallback;
        }
        try
        {
            return Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new TransportException(name + "=" + text + " is not a whole number", ex);
        }
    }
}

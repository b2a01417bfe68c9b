package io.cohort.node.cluster;

import io.cohort.node.launch.LaunchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses host lists as mpirun takes them: {@code --hosts h1:4,h2:4} (host, optional slots) and host files with
 * one host per line, {@code h1 slots=4} or {@code h1:4}, blank lines and {@code #} comments allowed. A host-file
 * line may also say {@code port=7471} for an agent on another port than the default.
 */
public final class HostList
{
    private HostList()
    {
    }

    /**
     * Parses {@code --hosts}.
     *
     * @param hosts       comma-separated HOST[:SLOTS]
     * @param defaultPort the agents' port
     * @return the hosts in order
     * @throws LaunchException naming the entry at fault
     */
    public static List<HostSlots> parse(final String hosts, final int defaultPort)
    {
        final List<HostSlots> result = new ArrayList<>();
        for (final String entry : hosts.split(","))
        {
            final String item = entry.trim();
            if (item.isEmpty())
            {
                throw new LaunchException("--hosts '" + hosts + "' has an empty entry; write HOST[:SLOTS],...");
            }
            result.add(entry(item, defaultPort, 0, "--hosts entry '" + item + "'"));
        }
        if (result.isEmpty())
        {
            throw new LaunchException("--hosts '" + hosts + "' names no host; write HOST[:SLOTS],...");
        }
        return checkDistinct(result);
    }

    /**
     * Reads a host file.
     *
     * @param file        the file
     * @param defaultPort the agents' port unless a line says port=N
     * @return the hosts in order
     * @throws LaunchException naming the file, line and problem
     */
    public static List<HostSlots> read(final Path file, final int defaultPort)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file);
        }
        catch (final IOException ex)
        {
            throw new LaunchException("cannot read the host file " + file + ": " + switch (ex)
            {
                case java.nio.file.NoSuchFileException missing -> "no such file";
                case java.nio.file.AccessDeniedException denied -> "permission denied";
                case java.nio.charset.CharacterCodingException binary -> "it is not a text file (expected lines of "
                    + "HOST [slots=N] [max_slots=N])";
                default -> ex.getMessage();
            }, ex);
        }
        final List<HostSlots> result = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++)
        {
            final String line = lines.get(n).replaceAll("#.*", "").trim();
            if (line.isEmpty())
            {
                continue;
            }
            final String where = file + " line " + (n + 1);
            final String[] words = line.split("\\s+");
            int slots = 0;
            int maxSlots = 0;
            int port = defaultPort;
            for (int w = 1; w < words.length; w++)
            {
                final String word = words[w];
                if (word.startsWith("slots="))
                {
                    if (slots > 0)
                    {
                        throw new LaunchException(where + ": slots= is given twice; give it once");
                    }
                    slots = number(word.substring(6), where + ": " + word, 1);
                }
                else if (word.startsWith("max_slots="))
                {
                    // Open MPI's cap for oversubscription: Cohort never runs more ranks than slots, so it caps slots.
                    if (maxSlots > 0)
                    {
                        throw new LaunchException(where + ": max_slots= is given twice; give it once");
                    }
                    maxSlots = number(word.substring(10), where + ": " + word, 1);
                }
                else if (word.startsWith("port="))
                {
                    port = number(word.substring(5), where + ": " + word, 1);
                    if (port > 65_535)
                    {
                        throw new LaunchException(where + ": port " + port + " is above 65535");
                    }
                }
                else
                {
                    throw new LaunchException(where + ": unknown word '" + word + "'; a line is HOST[:SLOTS] "
                        + "[slots=N] [max_slots=N] [port=N]");
                }
            }
            if (maxSlots > 0 && slots > maxSlots)
            {
                throw new LaunchException(where + ": slots=" + slots + " is more than max_slots=" + maxSlots
                    + "; a host runs at most max_slots ranks");
            }
            result.add(entry(words[0], port, slots > 0 ? slots : maxSlots, where));
        }
        if (result.isEmpty())
        {
            throw new LaunchException("the host file " + file + " names no host (expected lines of HOST [slots=N] "
                + "[max_slots=N])");
        }
        return checkDistinct(result);
    }

    /**
     * One host: {@code HOST}, {@code HOST:SLOTS}, an IPv6 address ({@code fe80::1}), or one in brackets with slots
     * ({@code [fe80::1]:4}).
     */
    private static HostSlots entry(final String item, final int port, final int slots, final String where)
    {
        final String host;
        final String slotsText;
        if (item.startsWith("["))
        {
            final int close = item.indexOf(']');
            if (close < 0 || close + 1 < item.length() && item.charAt(close + 1) != ':')
            {
                throw new LaunchException(where + ": '" + item + "' is not [IPV6-ADDRESS] or [IPV6-ADDRESS]:SLOTS");
            }
            host = item.substring(1, close);
            slotsText = close + 1 < item.length() ? item.substring(close + 2) : null;
        }
        else if (item.indexOf(':') != item.lastIndexOf(':'))
        {
            // Several colons: a bare IPv6 address (slots after one need brackets).
            host = item;
            slotsText = null;
        }
        else
        {
            final int colon = item.indexOf(':');
            host = colon < 0 ? item : item.substring(0, colon);
            slotsText = colon < 0 ? null : item.substring(colon + 1);
        }
        if (host.isEmpty())
        {
            throw new LaunchException(where + " has no host name before ':'");
        }
        if (slotsText == null)
        {
            return new HostSlots(host, port, slots);
        }
        final int given = number(slotsText, where, 1);
        if (slots > 0 && slots != given)
        {
            throw new LaunchException(where + ": '" + item + "' and slots=" + slots + " give different slots; "
                + "write one of them");
        }
        return new HostSlots(host, port, given);
    }

    private static int number(final String text, final String where, final int min)
    {
        try
        {
            final int value = Integer.parseInt(text);
            if (value < min)
            {
                throw new LaunchException(where + ": " + value + " is below the minimum of " + min);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new LaunchException(where + ": '" + text + "' is not a whole number", ex);
        }
    }

    private static List<HostSlots> checkDistinct(final List<HostSlots> hosts)
    {
        for (int i = 0; i < hosts.size(); i++)
        {
            for (int j = i + 1; j < hosts.size(); j++)
            {
                if (hosts.get(i).where().equals(hosts.get(j).where()))
                {
                    throw new LaunchException("host " + hosts.get(i).where() + " is listed twice; give it once "
                        + "with all its slots");
                }
            }
        }
        return hosts;
    }
}

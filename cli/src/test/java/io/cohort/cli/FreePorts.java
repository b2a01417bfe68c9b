package io.cohort.cli;

import java.io.IOException;
import java.net.ServerSocket;

/** Free ports for head nodes under test: the API on one port and the agents' links on the next. */
final class FreePorts
{
    private FreePorts()
    {
    }

    /**
     * A port whose next port is free too, both bound once on every address (the head node listens for agents on
     * 0.0.0.0): a port taken by some other connection of the machine made a head node fail to start.
     *
     * @return the first port of the pair
     * @throws IOException if no such pair turned up in 50 tries
     */
    static int pair() throws IOException
    {
        for (int tries = 0; tries < 50; tries++)
        {
            try (ServerSocket first = new ServerSocket(0))
            {
                final int port = first.getLocalPort();
                if (port < 65_000)
                {
                    try (ServerSocket second = new ServerSocket(port + 1))
                    {
                        return port;
                    }
                    catch (final IOException ex)
                    {
                        // Taken: try another.
                    }
                }
            }
        }
        throw new IOException("no two free consecutive ports found in 50 tries");
    }
}

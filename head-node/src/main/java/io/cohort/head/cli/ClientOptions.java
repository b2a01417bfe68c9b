package io.cohort.head.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The options every client verb shares: where the configuration is, and JSON output for scripts. */
public final class ClientOptions
{
    @Option(names = "--config", paramLabel = "FILE",
        description = "Client configuration (client.json from cohort head init). Default: $COHORT_CONFIG, then "
            + "~/.cohort/config.json.")
    Path config;

    @Option(names = "--json", description = "Print JSON instead of a table (for scripts).")
    boolean json;

    /**
     * A client for the configured head node.
     *
     * @return the client
     * @throws IOException if the configuration cannot be found or used
     */
    public HeadClient client() throws IOException
    {
        return new HeadClient(ClientConfig.load(config));
    }

    /**
     * Whether to print JSON.
     *
     * @return true with --json
     */
    public boolean json()
    {
        return json;
    }
}

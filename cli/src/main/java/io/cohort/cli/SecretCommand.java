package io.cohort.cli;

import io.cohort.node.protocol.ClusterSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cohort secret}: makes the cluster secret that launchers and agents share. */
@Command(name = "secret", mixinStandardHelpOptions = true,
    description = {"Make a new cluster secret (32 random bytes, readable by you only).",
        "Copy the file to every host; agents and launchers prove they hold it without sending it."})
public final class SecretCommand implements Callable<Integer>
{
    @Option(names = "--out", paramLabel = "FILE",
        description = "Where to write it (default: $COHORT_SECRET_FILE or ~/.cohort/secret).")
    private Path out;

    @Option(names = "--force", description = "Replace an existing secret (agents using the old one lock out).")
    private boolean force;

    @Override
    public Integer call()
    {
        final ClusterSecret secret = ClusterSecret.create(out != null ? out : ClusterSecret.defaultFile(), force);
        System.out.println(secret.file().toAbsolutePath());
        return 0;
    }
}

package io.cohort.head;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.head.auth.Role;
import io.cohort.head.auth.Tokens;
import io.cohort.head.store.JobStore;
import io.cohort.head.tls.Certificates;
import io.cohort.head.tls.Secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * {@code cohort head init}: makes a head node's data directory with everything a cluster needs to start: the store
 * (schema migrated), the cluster secret agents authenticate with, a certificate authority and the head node's TLS
 * certificate, the first admin token, and two files to hand on: {@code client.json} (for the CLI: URL, CA
 * certificate, token) and {@code join.json} (for agents: head address, agent port, cluster secret, CA certificate).
 *
 * <pre>{@code
 * HeadInit.Result result = HeadInit.init(Path.of("/var/lib/cohort"), "head.example.org:8443", true);
 * }</pre>
 */
public final class HeadInit
{
    /** The cluster secret's file in the data directory (64 hex characters). */
    public static final String SECRET = "cluster.secret";
    /** The CLI's configuration file made at init. */
    public static final String CLIENT = "client.json";
    /** The agents' join file made at init. */
    public static final String JOIN = "join.json";

    private HeadInit()
    {
    }

    /**
     * What init made.
     *
     * @param settings   the head node's settings
     * @param adminToken the first admin token (also in client.json)
     * @param client     the client.json file
     * @param join       the join.json file
     */
    public record Result(HeadSettings settings, String adminToken, Path client, Path join)
    {
    }

    /**
     * Initialises a data directory.
     *
     * @param dataDir   the directory (created; must not hold a head node already)
     * @param advertise HOST:PORT clients reach the API by; agents connect to PORT+1
     * @param tls       whether to make certificates and serve HTTPS
     * @return what was made
     * @throws IOException              if files cannot be written
     * @throws IllegalArgumentException if advertise is not HOST:PORT or the directory is initialised already
     */
    public static Result init(final Path dataDir, final String advertise, final boolean tls) throws IOException
    {
        return init(dataDir, advertise, tls, null);
    }

    /**
     * Certificates an operator made, used instead of generated ones.
     *
     * @param certificate the server certificate (PEM)
     * @param key         its private key (PKCS#8 PEM)
     * @param ca          the CA that signed it (PEM), which clients and agents will trust
     */
    public record OperatorTls(Path certificate, Path key, Path ca)
    {
    }

    /**
     * Initialises a data directory, with the operator's certificates if given.
     *
     * @param dataDir   the directory (created; must not hold a head node already)
     * @param advertise HOST:PORT clients reach the API by; agents connect to PORT+1
     * @param tls       whether to serve HTTPS
     * @param operator  the operator's certificates, or null to make a CA and a certificate here
     * @return what was made
     * @throws IOException              if files cannot be written or the operator's certificates do not fit
     * @throws IllegalArgumentException if advertise is not HOST:PORT or the directory is initialised already
     */
    public static Result init(final Path dataDir, final String advertise, final boolean tls,
        final OperatorTls operator) throws IOException
    {
        final int colon = advertise.lastIndexOf(':');
        final String host = colon > 0 ? advertise.substring(0, colon) : "";
        final int port;
        try
        {
            port = Integer.parseInt(advertise.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--advertise '" + advertise + "' is not HOST:PORT, e.g. "
                + "head.example.org:8443");
        }
        if (host.isEmpty() || port < 1 || port > 65_534)
        {
            throw new IllegalArgumentException("--advertise '" + advertise + "' needs a host and a port from 1 to "
                + "65534 (agents use the next port)");
        }
        if (Files.exists(dataDir.resolve(HeadSettings.FILE)))
        {
            throw new IllegalArgumentException(dataDir + " holds a head node already (" + HeadSettings.FILE
                + " exists); start it with cohort head start --data " + dataDir + ", or choose an empty directory");
        }
        if (operator != null && !tls)
        {
            throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca cannot go with --no-tls");
        }
        if (operator != null)
        {
            // Checked before anything is written, so a bad certificate leaves no half-made directory.
            Certificates.check(operator.certificate(), operator.key(), operator.ca());
        }
        Files.createDirectories(dataDir);
        final HeadSettings settings = new HeadSettings(host, port, port + 1, tls);
        final byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        final String secretHex = HexFormat.of().formatHex(secret);
        Secrets.writePrivate(dataDir.resolve(SECRET), secretHex + "\n");
        String caPem = null;
        if (operator != null)
        {
            Certificates.install(dataDir.resolve("tls"), operator.certificate(), operator.key(), operator.ca());
            caPem = Files.readString(dataDir.resolve("tls").resolve(Certificates.CA));
        }
        else if (tls)
        {
            Certificates.create(dataDir.resolve("tls"), host);
            caPem = Files.readString(dataDir.resolve("tls").resolve(Certificates.CA));
        }
        final String token;
        try (JobStore store = JobStore.open(dataDir))
        {
            token = new Tokens(store).create("admin", "admin", Role.ADMIN).token();
        }
        final ObjectMapper json = new ObjectMapper();
        final ObjectNode client = json.createObjectNode();
        client.put("url", settings.url());
        client.put("token", token);
        client.put("caCertificate", caPem);
        final Path clientFile = dataDir.resolve(CLIENT);
        Secrets.writePrivate(clientFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(client) + "\n");
        final ObjectNode join = json.createObjectNode();
        join.put("head", host);
        join.put("agentPort", settings.agentPort());
        join.put("apiUrl", settings.url());
        join.put("clusterSecret", secretHex);
        join.put("tls", tls);
        join.put("caCertificate", caPem);
        final Path joinFile = dataDir.resolve(JOIN);
        Secrets.writePrivate(joinFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(join) + "\n");
        // head.json last: its presence means the directory is complete.
        Files.writeString(dataDir.resolve(HeadSettings.FILE),
            json.writerWithDefaultPrettyPrinter().writeValueAsString(settings.toJson()) + "\n");
        return new Result(settings, token, clientFile, joinFile);
    }
}

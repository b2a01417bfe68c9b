package io.cohort.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.ProtocolException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What an agent needs to join a head node: the {@code join.json} that {@code cohort head init} writes (the head
 * node's address and agent port, the cluster secret, and the certificate authority to trust when TLS is on).
 *
 * @param file      where it was read from
 * @param head      the head node's host
 * @param agentPort the port agents dial
 * @param secret    the cluster secret
 * @param tls       a TLS context trusting only the cluster's certificate authority, or null without TLS
 */
public record JoinFile(Path file, String head, int agentPort, ClusterSecret secret, SSLContext tls)
{
    /**
     * Reads a join file.
     *
     * @param file the file
     * @return its contents
     * @throws ProtocolException naming the file and the field at fault
     */
    public static JoinFile read(final Path file)
    {
        final JsonNode json;
        try
        {
            json = new ObjectMapper().readTree(file.toFile());
        }
        catch (final IOException ex)
        {
            throw new ProtocolException("cannot read the join file " + file + ": " + ex.getMessage()
                + " (it is written by 'cohort head init' as DATA/join.json)", ex);
        }
        final String head = text(json, "head", file);
        final int port = json.path("agentPort").asInt(-1);
        if (port < 1 || port > 65_535)
        {
            throw new ProtocolException("the join file " + file + " has no valid agentPort (1..65535)");
        }
        final ClusterSecret secret;
        try
        {
            secret = ClusterSecret.of(HexFormat.of().parseHex(text(json, "clusterSecret", file)), file);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ProtocolException("the join file " + file + " has a clusterSecret that is not hex", ex);
        }
        SSLContext tls = null;
        if (json.path("tls").asBoolean(false))
        {
            tls = trusting(text(json, "caCertificate", file), file);
        }
        return new JoinFile(file, head, port, secret, tls);
    }

    private static String text(final JsonNode json, final String field, final Path file)
    {
        final JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank())
        {
            throw new ProtocolException("the join file " + file + " has no '" + field + "'");
        }
        return value.asText();
    }

    private static SSLContext trusting(final String pem, final Path file)
    {
        try
        {
            final Certificate ca = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            final KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("cohort-ca", ca);
            final TrustManagerFactory factory = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw new ProtocolException("the caCertificate in " + file + " is not a usable certificate: "
                + ex.getMessage(), ex);
        }
    }
}

package io.cohort.head;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.head.service.HeadConfig;
import io.cohort.head.testing.ApiClient;
import io.cohort.head.testing.FakeAgents;
import io.cohort.head.tls.Certificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadInitTest
{
    @TempDir
    Path data;

    @Test
    void initWritesClientAndJoinFilesReadableByTheOwnerOnly() throws Exception
    {
        final HeadInit.Result result = HeadInit.init(data, "head.example.org:8443", true);
        final JsonNode client = new ObjectMapper().readTree(result.client().toFile());
        assertEquals("https://head.example.org:8443", client.get("url").asText());
        assertEquals(result.adminToken(), client.get("token").asText());
        assertTrue(client.get("caCertificate").asText().startsWith("-----BEGIN CERTIFICATE-----"));
        final JsonNode join = new ObjectMapper().readTree(result.join().toFile());
        assertEquals(8444, join.get("agentPort").asInt());
        assertEquals(Files.readString(data.resolve(HeadInit.SECRET)).strip(), join.get("clusterSecret").asText());
        for (final String file : new String[] {HeadInit.SECRET, HeadInit.CLIENT, HeadInit.JOIN, "tls/ca-key.pem"})
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(file))),
                file);
        }
    }

    @Test
    void secondInitOfTheSameDirectoryIsRefused() throws Exception
    {
        HeadInit.init(data, "localhost:8443", false);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> HeadInit.init(data, "localhost:8443", false));
        assertTrue(ex.getMessage().contains("holds a head node already"), ex.getMessage());
    }

    @Test
    void operatorCertificatesAreUsedInsteadOfMakingACa() throws Exception
    {
        final Path made = Files.createDirectories(data.resolve("made"));
        Certificates.create(made, "localhost");
        final Path dir = data.resolve("head");
        final HeadInit.Result result = HeadInit.init(dir, "localhost:9443", true, new HeadInit.OperatorTls(
            made.resolve(Certificates.SERVER), made.resolve(Certificates.SERVER_KEY), made.resolve(Certificates.CA)));
        assertEquals(Files.readString(made.resolve(Certificates.CA)),
            new ObjectMapper().readTree(result.client().toFile()).get("caCertificate").asText());
        assertTrue(!Files.exists(dir.resolve("tls").resolve(Certificates.CA_KEY)));
        try (HeadServer server = HeadServer.start(dir, (events, context) -> new FakeAgents(), HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0)))
        {
            final HttpClient trusting = HttpClient.newBuilder().sslContext(Certificates.clientContext(
                Files.readString(made.resolve(Certificates.CA)))).build();
            assertEquals(200, new ApiClient(trusting, "https://localhost:" + server.apiPort(), result.adminToken())
                .send("GET", "/jobs", null).status());
        }
    }

    @Test
    void operatorKeyOfAnotherCertificateIsRefusedBeforeAnythingIsWritten() throws Exception
    {
        final Path one = Files.createDirectories(data.resolve("one"));
        final Path two = Files.createDirectories(data.resolve("two"));
        Certificates.create(one, "localhost");
        Certificates.create(two, "localhost");
        final Path dir = data.resolve("head");
        final java.io.IOException ex = assertThrows(java.io.IOException.class, () -> HeadInit.init(dir,
            "localhost:9443", true, new HeadInit.OperatorTls(one.resolve(Certificates.SERVER),
                two.resolve(Certificates.SERVER_KEY), one.resolve(Certificates.CA))));
        assertTrue(ex.getMessage().contains("is not the key of the certificate"), ex.getMessage());
        assertTrue(!Files.exists(dir));
    }

    @Test
    void advertiseWithoutAPortIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> HeadInit.init(data, "localhost", false));
    }

    @Test
    void apiServesTlsThatTrustsOnlyTheCaFromClientJson() throws Exception
    {
        final HeadInit.Result result = HeadInit.init(data, "localhost:9443", true);
        final String ca = new ObjectMapper().readTree(result.client().toFile()).get("caCertificate").asText();
        try (HeadServer server = HeadServer.start(data, (events, context) -> new FakeAgents(), HeadConfig.defaults(),
            new InetSocketAddress("127.0.0.1", 0)))
        {
            final String base = "https://localhost:" + server.apiPort();
            final HttpClient trusting = HttpClient.newBuilder().sslContext(Certificates.clientContext(ca)).build();
            assertEquals(200, new ApiClient(trusting, base, result.adminToken()).send("GET", "/jobs", null).status());
            final ApiClient stranger = new ApiClient(HttpClient.newHttpClient(), base, result.adminToken());
            assertThrows(SSLHandshakeException.class, () -> stranger.send("GET", "/jobs", null));
        }
    }
}

package io.cohort.head.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The head node's TLS material: a certificate authority made at {@code cohort head init} and a server certificate it
 * signs for the advertised name (plus localhost), EC P-256 keys, PEM files in {@code DATA/tls}. Clients trust the CA
 * certificate carried in client.json and join.json; nothing is taken from the system trust store.
 *
 * <pre>{@code
 * Certificates.create(dataDir.resolve("tls"), "head.example.org");
 * SSLContext server = Certificates.serverContext(dataDir.resolve("tls"));
 * SSLContext client = Certificates.clientContext(Files.readString(dataDir.resolve("tls/ca.pem")));
 * }</pre>
 */
public final class Certificates
{
    /** The CA certificate file in the TLS directory. */
    public static final String CA = "ca.pem";
    /** The CA's key (kept to sign later certificates, readable by the owner only). */
    public static final String CA_KEY = "ca-key.pem";
    /** The server certificate. */
    public static final String SERVER = "head.pem";
    /** The server's key. */
    public static final String SERVER_KEY = "head-key.pem";

    private static final Duration CA_LIFE = Duration.ofDays(3650);
    private static final Duration SERVER_LIFE = Duration.ofDays(1825);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates()
    {
    }

    /**
     * Makes a CA and a server certificate for a name, and writes them as PEM files.
     *
     * @param tlsDir the directory to write (created)
     * @param host   the advertised host name or IP address
     * @throws IOException if the files cannot be written
     */
    public static void create(final Path tlsDir, final String host) throws IOException
    {
        try
        {
            Files.createDirectories(tlsDir);
            final KeyPair caKey = keyPair();
            final X500Name caName = new X500Name("CN=Cohort cluster CA");
            final Instant now = Instant.now();
            final X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_LIFE)), caName, caKey.getPublic());
            final JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca.addExtension(Extension.subjectKeyIdentifier, false,
                extensions.createSubjectKeyIdentifier(caKey.getPublic()));
            final X509Certificate caCert = sign(ca, caKey.getPrivate());

            final KeyPair serverKey = keyPair();
            final X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCert, serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(SERVER_LIFE)),
                new X500Name("CN=" + host.replaceAll("[,=+<>#;\"\\\\]", "_")), serverKey.getPublic());
            server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            server.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            server.addExtension(Extension.subjectAlternativeName, false, names(host));
            server.addExtension(Extension.authorityKeyIdentifier, false,
                extensions.createAuthorityKeyIdentifier(caCert));
            final X509Certificate serverCert = sign(server, caKey.getPrivate());

            Files.writeString(tlsDir.resolve(CA), pem("CERTIFICATE", caCert.getEncoded()));
            Secrets.writePrivate(tlsDir.resolve(CA_KEY), pem("PRIVATE KEY", caKey.getPrivate().getEncoded()));
            Files.writeString(tlsDir.resolve(SERVER), pem("CERTIFICATE", serverCert.getEncoded()));
            Secrets.writePrivate(tlsDir.resolve(SERVER_KEY), pem("PRIVATE KEY",
                serverKey.getPrivate().getEncoded()));
        }
        catch (final GeneralSecurityException | OperatorCreationException ex)
        {
            throw new IOException("cannot make the TLS certificates: " + ex.getMessage(), ex);
        }
    }

    /**
     * Installs certificates an operator made instead of generating them: the server certificate (PEM, the first
     * certificate of the file), its PKCS#8 private key (PEM, EC or RSA), and the CA that signed it (PEM). Checked
     * before anything is written: the key must belong to the certificate, and the CA must have signed it.
     *
     * @param tlsDir the directory to write (created)
     * @param cert   the server certificate file
     * @param key    the private key file
     * @param ca     the CA certificate file
     * @throws IOException if a file cannot be read or the checks fail (the message says which)
     */
    public static void install(final Path tlsDir, final Path cert, final Path key, final Path ca) throws IOException
    {
        check(cert, key, ca);
        Files.createDirectories(tlsDir);
        Files.writeString(tlsDir.resolve(CA), Files.readString(ca));
        Files.writeString(tlsDir.resolve(SERVER), Files.readString(cert));
        Secrets.writePrivate(tlsDir.resolve(SERVER_KEY), Files.readString(key));
    }

    /**
     * Checks an operator's certificates without writing anything: the key belongs to the certificate, and the CA
     * signed it.
     *
     * @param cert the server certificate file
     * @param key  the private key file
     * @param ca   the CA certificate file
     * @throws IOException if a file cannot be read or a check fails (the message says which)
     */
    public static void check(final Path cert, final Path key, final Path ca) throws IOException
    {
        final String certPem = Files.readString(cert);
        final String keyPem = Files.readString(key);
        final String caPem = Files.readString(ca);
        try
        {
            final X509Certificate server = certificate(certPem);
            final X509Certificate authority = certificate(caPem);
            final PrivateKey privateKey = privateKey(keyPem);
            final java.security.Signature signer = java.security.Signature.getInstance(
                "EC".equals(privateKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA");
            final byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            signer.initSign(privateKey);
            signer.update(probe);
            final byte[] signature = signer.sign();
            signer.initVerify(server.getPublicKey());
            signer.update(probe);
            if (!signer.verify(signature))
            {
                throw new IOException("--tls-key " + key + " is not the key of the certificate in " + cert);
            }
            try
            {
                server.verify(authority.getPublicKey());
            }
            catch (final GeneralSecurityException ex)
            {
                throw new IOException("the certificate in " + cert + " is not signed by the CA in " + ca
                    + " (intermediate CAs are not supported: give the CA that signed it directly)", ex);
            }
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new IOException("cannot use the TLS files " + cert + ", " + key + ", " + ca + ": " + ex.getMessage(),
                ex);
        }
    }

    private static PrivateKey privateKey(final String pem) throws GeneralSecurityException
    {
        if (!pem.contains("-----BEGIN PRIVATE KEY-----"))
        {
            throw new GeneralSecurityException("the key must be PKCS#8 PEM (-----BEGIN PRIVATE KEY-----); convert it "
                + "with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der(pem));
        try
        {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
        catch (final GeneralSecurityException ex)
        {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        }
    }

    /**
     * The server side's TLS context from the files {@link #create} wrote.
     *
     * @param tlsDir the TLS directory
     * @return the context
     * @throws IOException if the files are missing or damaged
     */
    public static SSLContext serverContext(final Path tlsDir) throws IOException
    {
        try
        {
            final X509Certificate cert = certificate(Files.readString(tlsDir.resolve(SERVER)));
            final X509Certificate ca = certificate(Files.readString(tlsDir.resolve(CA)));
            final PrivateKey key = privateKey(Files.readString(tlsDir.resolve(SERVER_KEY)));
            final char[] password = new char[0];
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, password);
            store.setKeyEntry("head", key, password, new java.security.cert.Certificate[] {cert, ca});
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust(ca).getTrustManagers(), RANDOM);
            return context;
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new IOException("cannot load the TLS key and certificate from " + tlsDir + ": " + ex.getMessage(),
                ex);
        }
    }

    /**
     * A client's TLS context that trusts exactly one CA.
     *
     * @param caPem the CA certificate in PEM
     * @return the context
     * @throws IOException if the certificate cannot be read
     */
    public static SSLContext clientContext(final String caPem) throws IOException
    {
        try
        {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust(certificate(caPem)).getTrustManagers(), RANDOM);
            return context;
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new IOException("cannot use the CA certificate: " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads a PEM certificate.
     *
     * @param pem the PEM text
     * @return the certificate
     * @throws GeneralSecurityException if it is not a certificate
     */
    public static X509Certificate certificate(final String pem) throws GeneralSecurityException
    {
        return (X509Certificate)CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(der(pem)));
    }

    private static TrustManagerFactory trust(final X509Certificate ca) throws GeneralSecurityException, IOException
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("cohort-ca", ca);
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        return trust;
    }

    private static GeneralNames names(final String host)
    {
        final List<GeneralName> names = new ArrayList<>();
        for (final String name : List.of(host, "localhost", "127.0.0.1"))
        {
            final GeneralName general = IPV4.matcher(name).matches() || name.contains(":")
                ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name);
            if (!names.contains(general))
            {
                names.add(general);
            }
        }
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    private static KeyPair keyPair() throws GeneralSecurityException
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial()
    {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final PrivateKey key)
        throws OperatorCreationException, GeneralSecurityException, CertIOException
    {
        return new JcaX509CertificateConverter().getCertificate(builder.build(
            new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }

    /** The DER bytes of the first PEM block in the text. */
    private static byte[] der(final String pem)
    {
        final int begin = pem.indexOf("-----BEGIN ");
        final int bodyStart = pem.indexOf("-----", begin + 11) + 5;
        final int end = pem.indexOf("-----END ", bodyStart);
        if (begin < 0 || bodyStart < 5 || end < 0)
        {
            throw new IllegalArgumentException("not PEM: no -----BEGIN ...----- / -----END ...----- block");
        }
        return Base64.getDecoder().decode(pem.substring(bodyStart, end).replaceAll("\\s", ""));
    }
}

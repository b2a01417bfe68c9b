package io.cohort.node.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every launcher and agent of a cluster shares. It never crosses the network: each side proves it
 * holds the secret by signing the other's random nonce (HMAC-SHA256), so no one without the file can make an agent
 * run anything, and a launcher does not hand a job to an impostor.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClusterSecret
{
    /** Where the secret lives unless {@code --secret} or COHORT_SECRET_FILE says otherwise. */
    public static final String ENVIRONMENT_VARIABLE = "COHORT_SECRET_FILE";

    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final Path file;

    private ClusterSecret(final byte[] key, final Path file)
    {
        this.key = key;
        this.file = file;
    }

    /**
     * The default secret file: COHORT_SECRET_FILE, else ~/.cohort/secret.
     *
     * @return the path
     */
    public static Path defaultFile()
    {
        final String configured = System.getenv(ENVIRONMENT_VARIABLE);
        return configured != null && !configured.isBlank() ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".cohort", "secret");
    }

    /**
     * Makes a new random secret and writes it to a file readable by its owner only.
     *
     * @param file  where to write it
     * @param force replace an existing file
     * @return the secret
     * @throws ProtocolException if the file exists (and force is off) or cannot be written
     */
    public static ClusterSecret create(final Path file, final boolean force)
    {
        if (Files.exists(file) && !force)
        {
            throw new ProtocolException("the secret file " + file + " already exists; agents and launchers using it "
                + "would be locked out if it changed. Use --force to replace it");
        }
        final byte[] key = new byte[SECRET_BYTES];
        RANDOM.nextBytes(key);
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            final Path temporary = Files.createTempFile(parent, ".secret", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, HexFormat.of().formatHex(key) + "\n");
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new ProtocolException("cannot write the secret file " + file + ": " + ex.getMessage(), ex);
        }
        return new ClusterSecret(key, file);
    }

    /**
     * Reads a secret file.
     *
     * @param file the file {@code cohort secret} wrote
     * @return the secret
     * @throws ProtocolException if the file is missing or does not hold a secret
     */
    public static ClusterSecret load(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            throw new ProtocolException("cannot read the cluster secret " + file + " (" + switch (ex)
            {
                case java.nio.file.NoSuchFileException missing -> "no such file";
                case java.nio.file.AccessDeniedException denied -> "permission denied";
                default -> ex.getMessage();
            } + "); create one with 'cohort secret --out " + file + "' and copy it to every host", ex);
        }
        final byte[] key;
        try
        {
            key = HexFormat.of().parseHex(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ProtocolException("the cluster secret " + file + " is not a hex string as 'cohort secret' "
                + "writes", ex);
        }
        if (key.length < 16)
        {
            throw new ProtocolException("the cluster secret " + file + " holds " + key.length + " bytes; at least "
                + "16 are needed ('cohort secret' writes " + SECRET_BYTES + ")");
        }
        return new ClusterSecret(key, file);
    }

    /**
     * A secret from its bytes (as a head node keeps it).
     *
     * @param key    at least 16 bytes
     * @param origin where it came from, for messages
     * @return the secret
     */
    public static ClusterSecret of(final byte[] key, final Path origin)
    {
        if (key.length < 16)
        {
            throw new ProtocolException("the cluster secret from " + origin + " holds " + key.length
                + " bytes; at least 16 are needed");
        }
        return new ClusterSecret(key.clone(), origin);
    }

    /**
     * The file the secret came from.
     *
     * @return its path
     */
    public Path file()
    {
        return file;
    }

    /**
     * A fresh random nonce.
     *
     * @return 16 random bytes as hex
     */
    public static String nonce()
    {
        final byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Signs a nonce.
     *
     * @param nonce the other side's nonce
     * @return HMAC-SHA256 of it under the secret, as hex
     */
    public String sign(final String nonce)
    {
        return HexFormat.of().formatHex(hmac(key).doFinal(nonce.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * The key that signs every message of one link after its handshake: derived from the secret and both sides'
     * nonces, so it differs for every connection and a message recorded on one link is refused on any other.
     *
     * @param acceptorNonce the nonce of the side that accepted the connection (its hello)
     * @param dialerNonce   the nonce of the side that dialed (its auth)
     * @return 32 bytes
     */
    public byte[] linkKey(final String acceptorNonce, final String dialerNonce)
    {
        return hmac(key).doFinal(("cohort link key " + acceptorNonce + " " + dialerNonce)
            .getBytes(StandardCharsets.US_ASCII));
    }

    /** A fresh HMAC-SHA256 under a key: the one MAC of the agent protocol (handshake proofs and message tags). */
    static Mac hmac(final byte[] key)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", ex);
        }
    }

    /**
     * Checks a signature in constant time.
     *
     * @param nonce the nonce this side sent
     * @param mac   the other side's signature (may be null)
     * @return true if the other side holds the same secret
     */
    public boolean verify(final String nonce, final String mac)
    {
        return mac != null && MessageDigest.isEqual(sign(nonce).getBytes(StandardCharsets.US_ASCII),
            mac.getBytes(StandardCharsets.US_ASCII));
    }
}

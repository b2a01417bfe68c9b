package io.cohort.head.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PackageStoreTest
{
    @TempDir
    Path data;

    @Test
    void storesContentUnderItsSha256() throws Exception
    {
        final PackageStore packages = new PackageStore(data);
        final byte[] bytes = zip("hello.txt", "hello");
        final String hash = packages.put(new ByteArrayInputStream(bytes), 1000);
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
            .digest(bytes)), hash);
        assertArrayEquals(bytes, Files.readAllBytes(packages.path(hash).orElseThrow()));
        assertEquals(hash, packages.put(new ByteArrayInputStream(bytes), 1000));
    }

    @Test
    void uploadThatIsNotAZipIsRefusedSayingSoAndLeavesNoFile() throws Exception
    {
        final PackageStore packages = new PackageStore(data);
        final PackageStore.NotAZipException refused = assertThrows(PackageStore.NotAZipException.class,
            () -> packages.put(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), 100));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().startsWith(
            "the package is not a jar or zip file"), refused.getMessage());
        try (Stream<Path> files = Files.list(data.resolve("packages")))
        {
            assertEquals(0, files.count());
        }
    }

    @Test
    void uploadsAHeadNodeLeftHalfWrittenAreRemovedWhenTheStoreOpens() throws Exception
    {
        final Path half = Files.createDirectories(data.resolve("packages")).resolve(".upload-123.part");
        Files.write(half, new byte[10]);
        new PackageStore(data);
        assertFalse(Files.exists(half));
    }

    private static byte[] zip(final String name, final String content) throws java.io.IOException
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out))
        {
            zip.putNextEntry(new java.util.zip.ZipEntry(name));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    @Test
    void oversizedUploadIsRefusedAndLeavesNoFile() throws Exception
    {
        final PackageStore packages = new PackageStore(data);
        assertThrows(PackageStore.TooLargeException.class,
            () -> packages.put(new ByteArrayInputStream(new byte[101]), 100));
        try (Stream<Path> files = Files.list(data.resolve("packages")))
        {
            assertEquals(0, files.count());
        }
    }

    @Test
    void unknownOrMalformedHashIsNotContained() throws Exception
    {
        final PackageStore packages = new PackageStore(data);
        assertFalse(packages.contains("0".repeat(64)));
        assertFalse(packages.contains("../../etc/passwd"));
    }
}

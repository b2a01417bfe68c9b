package io.cohort.head.store;

import io.cohort.head.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void unusedPackageIsRemovedOnceTheRetentionHasPassedSinceItsUpload() throws Exception
    {
        final TestClock clock = new TestClock();
        final PackageStore packages = new PackageStore(data, clock);
        final String hash = packages.put(new ByteArrayInputStream(zip("a.txt", "a")), 1000);
        clock.advance(Duration.ofHours(2));
        assertEquals(List.of(), packages.collect(Set.of(), Duration.ofHours(3)));
        clock.advance(Duration.ofHours(2));
        final List<PackageStore.Removed> removed = packages.collect(Set.of(), Duration.ofHours(3));
        assertEquals(List.of(hash), removed.stream().map(PackageStore.Removed::hash).toList());
        assertTrue(removed.get(0).bytes() > 0);
        assertFalse(packages.contains(hash));
    }

    @Test
    void packageInUseIsKeptHoweverOld() throws Exception
    {
        final TestClock clock = new TestClock();
        final PackageStore packages = new PackageStore(data, clock);
        final String hash = packages.put(new ByteArrayInputStream(zip("a.txt", "a")), 1000);
        clock.advance(Duration.ofDays(100));
        assertEquals(List.of(), packages.collect(Set.of(hash), Duration.ofHours(1)));
        assertTrue(packages.contains(hash));
    }

    @Test
    void claimingOrUploadingAgainCountsAsAUse() throws Exception
    {
        final TestClock clock = new TestClock();
        final PackageStore packages = new PackageStore(data, clock);
        final byte[] bytes = zip("a.txt", "a");
        final String hash = packages.put(new ByteArrayInputStream(bytes), 1000);
        clock.advance(Duration.ofHours(2));
        assertTrue(packages.claim(hash));
        clock.advance(Duration.ofHours(2));
        assertEquals(List.of(), packages.collect(Set.of(), Duration.ofHours(3)));
        packages.put(new ByteArrayInputStream(bytes), 1000);
        clock.advance(Duration.ofHours(2));
        assertEquals(List.of(), packages.collect(Set.of(), Duration.ofHours(3)));
        assertTrue(packages.contains(hash));
    }

    @Test
    void claimOfAPackageThatIsNotStoredSaysSo() throws Exception
    {
        final PackageStore packages = new PackageStore(data);
        assertFalse(packages.claim("0".repeat(64)));
        assertFalse(packages.claim("../../etc/passwd"));
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

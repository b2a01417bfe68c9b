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
        final byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        final String hash = packages.put(new ByteArrayInputStream(bytes), 100);
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", hash);
        assertArrayEquals(bytes, Files.readAllBytes(packages.path(hash).orElseThrow()));
        assertEquals(hash, packages.put(new ByteArrayInputStream(bytes), 100));
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

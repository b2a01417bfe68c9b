package io.cohort.head.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputStoreTest
{
    @TempDir
    Path data;

    @Test
    void outputIsReadableWhileTheRankStillWrites() throws Exception
    {
        try (OutputStore output = new OutputStore(data))
        {
            output.append(7, 1, 2, "first\n".getBytes(StandardCharsets.UTF_8));
            final OutputStore.Chunk first = output.read(7, 1, 2, 0, 1024);
            assertEquals("first\n", new String(first.data(), StandardCharsets.UTF_8));
            output.append(7, 1, 2, "second\n".getBytes(StandardCharsets.UTF_8));
            final OutputStore.Chunk second = output.read(7, 1, 2, first.next(), 1024);
            assertEquals("second\n", new String(second.data(), StandardCharsets.UTF_8));
            assertEquals(data.resolve("logs/7/1/rank-2.out"), output.file(7, 1, 2));
        }
    }

    @Test
    void rankWithoutOutputReadsEmpty() throws Exception
    {
        try (OutputStore output = new OutputStore(data))
        {
            assertEquals(0, output.read(1, 1, 0, 0, 10).data().length);
        }
    }
}

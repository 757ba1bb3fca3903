package org.pnrspark.util;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageTest {
    private final Storage storage = new Storage(new Configuration());

    private static boolean temporary(Path p) {
        return p.getFileName().toString().contains(".tmp-");
    }

    @Test
    void atomicWriteReplacesAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        String target = dir.resolve("a/b/results.json").toString();
        storage.writeString(target, "one");
        storage.writeString(target, "two");
        assertEquals("two", storage.readString(target));
        try (var files = Files.list(dir.resolve("a/b"))) {
            assertEquals(java.util.List.of("results.json"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary or checksum side files");
        }
    }

    @Test
    void failedWriteKeepsTheOldContent(@TempDir Path dir) throws IOException {
        String target = dir.resolve("model.zip").toString();
        storage.writeString(target, "good");
        assertThrows(IOException.class, () -> storage.writeAtomically(target, out -> {
            out.write("partial".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("good", storage.readString(target));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(StorageTest::temporary), "temporary file removed");
        }
    }
}

package org.pnrspark.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.TestData;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IDX reader on the real Fashion-MNIST files, gzipped and plain, and on damaged copies of them. */
class IdxReaderTest {
    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static IdxReader.Images images(String name, byte[] content) throws IOException {
        return IdxReader.readImages(name, new ByteArrayInputStream(content));
    }

    @Test
    void readsTheRealTrainingFilesGzippedAndPlain() throws IOException {
        Path root = TestData.fashionMnist();
        IdxReader.Images gz;
        try (InputStream in = Files.newInputStream(root.resolve("train-images-idx3-ubyte.gz"))) {
            gz = IdxReader.readImages("train-images-idx3-ubyte.gz", in);
        }
        assertEquals(60_000, gz.count());
        assertEquals(28, gz.rows());
        assertEquals(28, gz.cols());
        IdxReader.Images plain = images("train-images-idx3-ubyte", gunzip(root.resolve("train-images-idx3-ubyte.gz")));
        assertArrayEquals(gz.pixels(), plain.pixels());

        byte[] labels;
        try (InputStream in = Files.newInputStream(root.resolve("train-labels-idx1-ubyte.gz"))) {
            labels = IdxReader.readLabels("train-labels-idx1-ubyte.gz", in, 10);
        }
        assertEquals(60_000, labels.length);
        // the first training images of Fashion-MNIST: ankle boot, T-shirt/top, T-shirt/top, dress
        assertArrayEquals(new byte[] {9, 0, 0, 3}, Arrays.copyOf(labels, 4));
        int[] perClass = new int[10];
        for (byte b : labels) perClass[b]++;
        for (int c = 0; c < 10; c++) assertEquals(6000, perClass[c], "class " + c);
    }

    @Test
    void truncatedPlainFileNamesFileExpectedAndActualSize() throws IOException {
        byte[] full = gunzip(TestData.fashionMnist().resolve("t10k-images-idx3-ubyte.gz"));
        byte[] cut = Arrays.copyOf(full, 1_000_000);
        DataFormatException e = assertThrows(DataFormatException.class, () -> images("t10k-images-idx3-ubyte", cut));
        assertTrue(e.getMessage().startsWith("t10k-images-idx3-ubyte: truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 7840016 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found 1000000"), e.getMessage());
    }

    @Test
    void truncatedGzipFileIsReportedAsTruncated() throws IOException {
        byte[] gz = Files.readAllBytes(TestData.fashionMnist().resolve("t10k-images-idx3-ubyte.gz"));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        DataFormatException e = assertThrows(DataFormatException.class, () -> images("t10k.gz", cut));
        assertTrue(e.getMessage().contains("t10k.gz: truncated: expected 7840016 bytes after gunzip"), e.getMessage());
        assertTrue(e.getMessage().contains("before the gzip stream ended"), e.getMessage());
    }

    @Test
    void corruptGzipIsReported() throws IOException {
        byte[] gz = Files.readAllBytes(TestData.fashionMnist().resolve("t10k-labels-idx1-ubyte.gz"));
        byte[] bad = gz.clone();
        for (int i = 20; i < 60; i++) bad[i] ^= 0x5a;
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> IdxReader.readLabels("labels.gz", new ByteArrayInputStream(bad), 10));
        assertTrue(e.getMessage().startsWith("labels.gz: "), e.getMessage());
    }

    @Test
    void fileLongerThanItsHeader() throws IOException {
        byte[] labels = gunzip(TestData.fashionMnist().resolve("t10k-labels-idx1-ubyte.gz"));
        byte[] longer = Arrays.copyOf(labels, labels.length + 5);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> IdxReader.readLabels("labels", new ByteArrayInputStream(longer), 10));
        assertTrue(e.getMessage().contains("expected 10008 bytes") && e.getMessage().contains("found 10013"), e.getMessage());
    }

    @Test
    void wrongMagicAndBadLabels() throws IOException {
        byte[] labels = gunzip(TestData.fashionMnist().resolve("t10k-labels-idx1-ubyte.gz"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> images("labels-as-images", labels));
        assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
        byte[] bad = labels.clone();
        bad[8 + 17] = (byte) 12;
        e = assertThrows(DataFormatException.class,
                () -> IdxReader.readLabels("labels", new ByteArrayInputStream(bad), 10));
        assertTrue(e.getMessage().contains("corrupt label 12 at index 17"), e.getMessage());
    }

    @Test
    void gzippedAndPlainGiveTheSameLabels() throws IOException {
        byte[] plain = gunzip(TestData.fashionMnist().resolve("t10k-labels-idx1-ubyte.gz"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        assertArrayEquals(IdxReader.readLabels("a", new ByteArrayInputStream(plain), 10),
                IdxReader.readLabels("b", new ByteArrayInputStream(out.toByteArray()), 10));
    }

    @Test
    void headerOnlyFile(@TempDir Path dir) {
        byte[] header = {0, 0, 8, 3, 0, 0};
        DataFormatException e = assertThrows(DataFormatException.class, () -> images("short", header));
        assertTrue(e.getMessage().contains("expected 16 bytes") && e.getMessage().contains("found 6"), e.getMessage());
    }
}

package org.pnrspark.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CIFAR-100 binary reader on files in the real record layout (1 coarse, 1 fine label byte, 3072 CHW bytes). */
class Cifar100BinaryReaderTest {
    /** A test.bin-sized file with recognisable records: fine label r % 100, pixel bytes derived from r. */
    static byte[] testBin() {
        int n = Cifar100BinaryReader.TEST_RECORDS;
        byte[] b = new byte[n * Cifar100BinaryReader.RECORD_BYTES];
        Random random = new Random(1);
        for (int r = 0; r < n; r++) {
            int base = r * Cifar100BinaryReader.RECORD_BYTES;
            b[base] = (byte) ((r % 100) / 5);
            b[base + 1] = (byte) (r % 100);
            for (int i = 2; i < Cifar100BinaryReader.RECORD_BYTES; i++) b[base + i] = (byte) random.nextInt(256);
        }
        return b;
    }

    @Test
    void readsLabelsAndChannelMajorPixels() throws IOException {
        byte[] bin = testBin();
        ImageSet set = Cifar100BinaryReader.read("test.bin", new ByteArrayInputStream(bin), bin.length,
                Cifar100BinaryReader.TEST_RECORDS);
        assertEquals(10_000, set.size());
        assertEquals(3, set.channels());
        assertEquals(37, set.label(137));
        int base = 137 * Cifar100BinaryReader.RECORD_BYTES + 2;
        // red plane first, then green (offset 1024), then blue (offset 2048); row-major 32x32
        assertEquals(bin[base] & 0xff, set.pixel(137, 0, 0, 0));
        assertEquals(bin[base + 1024 + 32 * 5 + 7] & 0xff, set.pixel(137, 1, 5, 7));
        assertEquals(bin[base + 2048 + 32 * 31 + 31] & 0xff, set.pixel(137, 2, 31, 31));
    }

    @Test
    void truncatedFileNamesExpectedAndActualSize() {
        byte[] cut = Arrays.copyOf(testBin(), 5_000_000);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar100BinaryReader.read("test.bin",
                new ByteArrayInputStream(cut), cut.length, Cifar100BinaryReader.TEST_RECORDS));
        assertEquals("test.bin: expected 30740000 bytes (10000 records of 3074 bytes), found 5000000: the file is truncated",
                e.getMessage());
        // also when the storage does not report a size
        e = assertThrows(DataFormatException.class, () -> Cifar100BinaryReader.read("test.bin",
                new ByteArrayInputStream(cut), -1, Cifar100BinaryReader.TEST_RECORDS));
        assertTrue(e.getMessage().contains("found 5000000"), e.getMessage());
    }

    @Test
    void corruptLabelIsReported() {
        byte[] bin = testBin();
        bin[42 * Cifar100BinaryReader.RECORD_BYTES + 1] = (byte) 140;
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar100BinaryReader.read("test.bin",
                new ByteArrayInputStream(bin), bin.length, Cifar100BinaryReader.TEST_RECORDS));
        assertTrue(e.getMessage().contains("corrupt record 42") && e.getMessage().contains("fine label 140"), e.getMessage());
    }
}

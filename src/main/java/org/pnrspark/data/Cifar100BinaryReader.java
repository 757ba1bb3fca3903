package org.pnrspark.data;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the "CIFAR-100 binary version" ({@code train.bin}, {@code test.bin}): records of 1 coarse-label byte,
 * 1 fine-label byte and 3072 pixel bytes (red, green, blue planes of 32x32). Labels are the fine labels.
 */
public final class Cifar100BinaryReader {
    public static final int RECORD_BYTES = 2 + 3 * 32 * 32;
    public static final int TRAIN_RECORDS = 50_000;
    public static final int TEST_RECORDS = 10_000;

    private Cifar100BinaryReader() {}

    /**
     * @param expectedRecords the number of records the file must hold (50,000 for train.bin, 10,000 for test.bin)
     * @param fileSize        the size the storage reports, or -1 if unknown
     */
    public static ImageSet read(String file, InputStream in, long fileSize, int expectedRecords) throws IOException {
        long expectedBytes = (long) expectedRecords * RECORD_BYTES;
        if (fileSize >= 0 && fileSize != expectedBytes) {
            throw wrongSize(file, expectedBytes, fileSize, expectedRecords);
        }
        byte[] all = new byte[(int) expectedBytes];
        int read = in.readNBytes(all, 0, all.length);
        if (read != all.length) throw wrongSize(file, expectedBytes, read, expectedRecords);
        if (in.read() != -1) {
            throw wrongSize(file, expectedBytes, expectedBytes + 1 + in.skip(Long.MAX_VALUE), expectedRecords);
        }
        int imageBytes = RECORD_BYTES - 2;
        byte[] pixels = new byte[expectedRecords * imageBytes];
        int[] labels = new int[expectedRecords];
        for (int r = 0; r < expectedRecords; r++) {
            int base = r * RECORD_BYTES;
            int coarse = all[base] & 0xff;
            int fine = all[base + 1] & 0xff;
            if (coarse >= 20 || fine >= 100) {
                throw new DataFormatException(file + ": corrupt record " + r + " (byte offset " + base
                        + "): coarse label " + coarse + ", fine label " + fine + ", expected 0..19 and 0..99");
            }
            labels[r] = fine;
            System.arraycopy(all, base + 2, pixels, r * imageBytes, imageBytes);
        }
        return new ImageSet(file, pixels, labels, 3, 32, 32);
    }

    private static DataFormatException wrongSize(String file, long expected, long actual, int records) {
        return new DataFormatException(file + ": expected " + expected + " bytes (" + records + " records of "
                + RECORD_BYTES + " bytes), found " + actual + (actual < expected ? ": the file is truncated"
                        : ": the file is longer than a CIFAR-100 binary file"));
    }
}

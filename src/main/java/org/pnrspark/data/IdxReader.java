package org.pnrspark.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of (Fashion-)MNIST, plain or gzipped: {@code 0x00000803} images (count, rows, columns,
 * then one byte per pixel) and {@code 0x00000801} labels (count, then one byte per label).
 */
public final class IdxReader {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    /** Decoded image file: {@code count} images of rows x cols bytes. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    public static Images readImages(String file, InputStream raw) throws IOException {
        try (CountingStream in = open(file, raw)) {
            DataInputStream data = new DataInputStream(in);
            int[] header = readHeader(file, data, in, 4, IMAGES_MAGIC, "an IDX image file (magic 0x00000803)");
            int count = header[1], rows = header[2], cols = header[3];
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new DataFormatException(file + ": corrupt header (" + count + " images of " + rows + "x" + cols + ")");
            }
            long expectedBody = (long) count * rows * cols;
            byte[] pixels = readBody(file, data, in, expectedBody, 16,
                    count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        }
    }

    public static byte[] readLabels(String file, InputStream raw, int numClasses) throws IOException {
        try (CountingStream in = open(file, raw)) {
            DataInputStream data = new DataInputStream(in);
            int[] header = readHeader(file, data, in, 2, LABELS_MAGIC, "an IDX label file (magic 0x00000801)");
            int count = header[1];
            if (count < 0) throw new DataFormatException(file + ": corrupt header (" + count + " labels)");
            byte[] labels = readBody(file, data, in, count, 8, count + " labels");
            for (int i = 0; i < labels.length; i++) {
                int label = labels[i] & 0xff;
                if (label >= numClasses) {
                    throw new DataFormatException(file + ": corrupt label " + label + " at index " + i
                            + ", expected 0.." + (numClasses - 1));
                }
            }
            return labels;
        }
    }

    private static int[] readHeader(String file, DataInputStream data, CountingStream in, int ints, int magic,
            String what) throws IOException {
        int[] header = new int[ints];
        try {
            for (int i = 0; i < ints; i++) header[i] = data.readInt();
        } catch (EOFException e) {
            throw truncated(file, in, 4L * ints, in.count(), "the " + (4 * ints) + "-byte header");
        }
        if (header[0] != magic) {
            throw new DataFormatException(file + ": not " + what + ": starts with 0x"
                    + String.format("%08x", header[0]) + (in.gzipped ? " (after gunzip)" : ""));
        }
        return header;
    }

    private static byte[] readBody(String file, DataInputStream data, CountingStream in, long expectedBody,
            int headerBytes, String what) throws IOException {
        if (expectedBody > Integer.MAX_VALUE - 16) {
            throw new DataFormatException(file + ": header announces " + what + ", too large to load");
        }
        byte[] body = new byte[(int) expectedBody];
        try {
            data.readFully(body);
        } catch (EOFException e) {
            throw truncated(file, in, headerBytes + expectedBody, in.count(), what);
        }
        if (in.read() != -1) {
            long actual = headerBytes + expectedBody + 1 + in.skipAll();
            throw new DataFormatException(file + ": expected " + (headerBytes + expectedBody) + " bytes"
                    + (in.gzipped ? " after gunzip" : "") + " (header: " + what + "), found " + actual
                    + ": the file is longer than its header says");
        }
        return body;
    }

    private static DataFormatException truncated(String file, CountingStream in, long expected, long actual,
            String what) {
        return new DataFormatException(file + ": truncated: expected " + expected + " bytes"
                + (in.gzipped ? " after gunzip" : "") + " (" + what + "), found " + actual
                + (in.gzipped ? " before the gzip stream ended" : ""));
    }

    /** Opens a possibly gzipped stream and counts the decoded bytes read from it. */
    private static CountingStream open(String file, InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read(), b1 = buffered.read();
        buffered.reset();
        boolean gz = b0 == 0x1f && b1 == 0x8b;
        return new CountingStream(file, gz ? new GZIPInputStream(buffered, 1 << 16) : buffered, gz);
    }

    private static final class CountingStream extends InputStream {
        private final String file;
        private final InputStream in;
        private final boolean gzipped;
        private long count;

        CountingStream(String file, InputStream in, boolean gzipped) {
            this.file = file;
            this.in = in;
            this.gzipped = gzipped;
        }

        long count() {
            return count;
        }

        long skipAll() throws IOException {
            long skipped = 0;
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = read(buf, 0, buf.length)) > 0) skipped += n;
            return skipped;
        }

        @Override
        public int read() throws IOException {
            int b = guard(in::read);
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = guard(() -> in.read(b, off, len));
            if (n > 0) count += n;
            return n;
        }

        /** A gzip stream cut short ends the data (reported as truncation); a damaged one is corrupt. */
        private int guard(IoIntSupplier read) throws IOException {
            try {
                return read.get();
            } catch (EOFException e) {
                if (!gzipped) throw e;
                return -1;
            } catch (ZipException e) {
                throw new DataFormatException(file + ": corrupt gzip stream after " + count
                        + " decoded bytes: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @FunctionalInterface
    private interface IoIntSupplier {
        int get() throws IOException;
    }
}

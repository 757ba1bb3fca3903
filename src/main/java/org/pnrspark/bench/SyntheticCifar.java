package org.pnrspark.bench;

import org.pnrspark.data.Cifar100BinaryReader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A CIFAR-100-shaped dataset for the Spark bench of ResNet-18 at 32x32x3 when no CIFAR-100 is configured: train.bin
 * and test.bin of the CIFAR-100 binary version, with seeded random pixels and labels 0..99 in turn, read by the
 * same reader and loader as the real files. Throughput does not depend on what the pixels show.
 */
final class SyntheticCifar {
    private SyntheticCifar() {}

    /** Writes both files into a new temporary directory and returns it. */
    static Path write(long seed) {
        try {
            Path dir = Files.createTempDirectory("pnr-bench-cifar");
            SplittableRandom random = new SplittableRandom(seed);
            writeFile(dir.resolve("train.bin"), Cifar100BinaryReader.TRAIN_RECORDS, random);
            writeFile(dir.resolve("test.bin"), Cifar100BinaryReader.TEST_RECORDS, random);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bench's CIFAR-100-shaped files", e);
        }
    }

    private static void writeFile(Path file, int records, SplittableRandom random) throws IOException {
        byte[] record = new byte[Cifar100BinaryReader.RECORD_BYTES];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int r = 0; r < records; r++) {
                record[0] = (byte) (r % 20);
                record[1] = (byte) (r % 100);
                for (int i = 2; i < record.length; i++) record[i] = (byte) random.nextInt(256);
                out.write(record);
            }
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}

package org.pnrspark.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real datasets the tests read. They must be installed (.ci/run does it); a missing one fails the test. */
public final class TestData {
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private TestData() {}

    public static Path fashionMnist() {
        assertTrue(Files.isRegularFile(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed in " + FASHION_MNIST + ": apt-get install -y dataset-fashion-mnist");
        return FASHION_MNIST;
    }

    /** A repository file's text (sources, docs), an unreadable one failing the test with its name. */
    public static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }
}

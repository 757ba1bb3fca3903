package org.pnrspark.testutil;

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
}

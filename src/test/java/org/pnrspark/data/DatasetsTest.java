package org.pnrspark.data;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.testutil.TestData;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    private static final Storage LOCAL = new Storage(new Configuration());

    private static JobConfig.Data data(String... sets) {
        return ConfigLoader.load(List.of(), List.of(sets)).data();
    }

    @Test
    void bundledSampleIsTheFirstImagesPerClassOfTheOfficialFiles() throws IOException {
        ImageSet sample = Datasets.load(data("data.root=sample"), Split.TRAIN, LOCAL);
        ImageSet full = Datasets.load(data("data.root=" + TestData.fashionMnist()), Split.TRAIN, LOCAL);
        ImageSet expected = full.firstPerClass(1000, 10);
        assertEquals(10_000, sample.size());
        assertArrayEquals(expected.labels(), sample.labels());
        for (int i = 0; i < sample.size(); i += 331) {
            for (int y = 0; y < 28; y += 3) {
                for (int x = 0; x < 28; x++) assertEquals(expected.pixel(i, 0, y, x), sample.pixel(i, 0, y, x));
            }
        }
        ImageSet sampleTest = Datasets.load(data("data.root=sample"), Split.TEST, LOCAL);
        assertArrayEquals(Datasets.load(data("data.root=" + TestData.fashionMnist()), Split.TEST, LOCAL)
                .firstPerClass(200, 10).labels(), sampleTest.labels());
    }

    @Test
    void plainFilesAreFoundBeforeGzippedOnes(@TempDir Path dir) throws IOException {
        for (String name : List.of("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(TestData.fashionMnist().resolve(name + ".gz")))) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        ImageSet test = Datasets.load(data("data.root=file://" + dir), Split.TEST, LOCAL);
        assertEquals(10_000, test.size());
        assertEquals(9, test.label(0));
    }

    @Test
    void maxPerClassLimitsBothSplits() throws IOException {
        JobConfig.Data d = data("data.root=" + TestData.fashionMnist(), "data.max_train_per_class=7",
                "data.max_test_per_class=3");
        assertEquals(70, Datasets.load(d, Split.TRAIN, LOCAL).size());
        assertEquals(30, Datasets.load(d, Split.TEST, LOCAL).size());
    }

    @Test
    void unreadableDataRootIsAConfigurationError(@TempDir Path dir) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Datasets.checkReadable(data("data.root=" + dir.resolve("nowhere")), LOCAL));
        assertEquals("data.root", e.key());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> Datasets.checkReadable(
                ConfigLoader.load(List.of(), List.of("data.dataset=cifar100", "data.root=" + dir)).data(), LOCAL));
        assertTrue(e.getMessage().contains("train.bin, test.bin"), e.getMessage());
    }

    @Test
    void truncatedFileOnDiskStopsWithFileAndSizes(@TempDir Path dir) throws IOException {
        for (String name : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(TestData.fashionMnist().resolve(name), dir.resolve(name));
        }
        byte[] gz = Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte.gz"));
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(gz, 100_000));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Datasets.load(data("data.root=" + dir), Split.TEST, LOCAL));
        assertTrue(e.getMessage().contains(dir.resolve("t10k-images-idx3-ubyte.gz").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("expected 7840016 bytes"), e.getMessage());
    }

    @Test
    void cifarFilesThroughTheFileSystem(@TempDir Path dir) throws IOException {
        byte[] test = Cifar100BinaryReaderTest.testBin();
        Files.write(dir.resolve("test.bin"), test);
        Files.write(dir.resolve("train.bin"), java.util.Arrays.copyOf(test, 3074 * 10));
        JobConfig.Data d = ConfigLoader.load(List.of(), List.of("data.dataset=cifar100", "data.root=" + dir)).data();
        Datasets.checkReadable(d, LOCAL);
        assertEquals(10_000, Datasets.load(d, Split.TEST, LOCAL).size());
        DataFormatException e = assertThrows(DataFormatException.class, () -> Datasets.load(d, Split.TRAIN, LOCAL));
        assertTrue(e.getMessage().contains("train.bin: expected 153700000 bytes") && e.getMessage().contains("found 30740"),
                e.getMessage());
    }
}

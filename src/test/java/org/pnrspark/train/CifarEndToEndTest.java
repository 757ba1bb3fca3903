package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.data.Cifar100BinaryReader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RGB path (32x32x3 views, colour jitter and grayscale, CIFAR-100 binary files, the reference's class order)
 * end to end on Spark local[2], on files of the real size and layout whose images carry a colour per class.
 */
class CifarEndToEndTest {
    /** Writes n records: fine label r % 100, an image tinted by its class, with noise. */
    static void writeBin(Path file, int n) throws IOException {
        long state = 42;
        byte[] record = new byte[Cifar100BinaryReader.RECORD_BYTES];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int r = 0; r < n; r++) {
                int label = r % 100;
                record[0] = (byte) (label / 5);
                record[1] = (byte) label;
                for (int c = 0; c < 3; c++) {
                    int tint = (label * (c == 0 ? 37 : c == 1 ? 71 : 113)) % 200;
                    for (int p = 0; p < 1024; p++) {
                        state = state * 6364136223846793005L + 1442695040888963407L;
                        int noise = (int) ((state >>> 33) % 48);
                        record[2 + c * 1024 + p] = (byte) (tint + noise);
                    }
                }
                out.write(record);
            }
        }
    }

    @Test
    void cifar100ClassIncrementalRun(@TempDir Path dir) throws IOException {
        writeBin(dir.resolve("train.bin"), Cifar100BinaryReader.TRAIN_RECORDS);
        writeBin(dir.resolve("test.bin"), Cifar100BinaryReader.TEST_RECORDS);
        Path out = dir.resolve("run");
        EndToEndTest.run("train", "--conf", "conf/fmnist-5t.conf", "--set", "data.dataset=cifar100",
                "--set", "data.root=" + dir, "--set", "data.max_train_per_class=6", "--set", "data.max_test_per_class=4",
                "--set", "scenario.tasks=2", "--set", "optim.epochs=1", "--set", "optim.warmup_epochs=0",
                "--set", "spark.batch_size_per_worker=16", "--set", "spark.averaging_frequency=2",
                "--set", "augment.crop_min_scale=0.08",
                // the reference's linear evaluation schedule (shortened) instead of the fast probe
                "--set", "eval.linear_probe.protocol=offline", "--set", "eval.linear_probe.offline.epochs=30",
                "--set", "eval.linear_probe.offline.lr=0.1",
                "--set", "output.dir=" + out);
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("cifar100", results.get("run").get("dataset").asText());
        assertEquals("offline", results.get("run").get("linear_probe").asText());
        JsonNode task0 = results.get("tasks").get(0);
        assertEquals(50, task0.get("classes").size());
        assertEquals(11, task0.get("classes").get(0).asInt(), "the reference's seed-5 class order");
        assertEquals(300, task0.get("train_images").asInt());
        for (JsonNode t : results.get("tasks")) {
            assertTrue(t.get("accuracy_all").asDouble() > 0.1, "accuracy " + t.get("accuracy_all") + " (chance 0.01)");
        }
    }
}

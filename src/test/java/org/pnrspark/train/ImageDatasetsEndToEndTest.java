package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.cli.Main;
import org.pnrspark.testutil.SparkTestSession;
import org.pnrspark.testutil.TinyImages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three image-file benchmarks (conf/imagenet100-class.conf, conf/imagenet100-data.conf, conf/domainnet.conf) on
 * Spark local[2], through the command line, on tiny datasets of the real layouts (JPEG and PNG files in class
 * folders; DomainNet lists), with the small CNN at 32x32 instead of ResNet-18 at 224 to keep them fast.
 */
class ImageDatasetsEndToEndTest {
    static final List<String> SMALL = List.of(
            "--set", "model.encoder=small-cnn", "--set", "data.image_size=32", "--set", "data.eval_resize=36",
            "--set", "optim.epochs=1", "--set", "optim.warmup_epochs=1", "--set", "spark.workers=2",
            "--set", "spark.averaging_frequency=1", "--set", "eval.linear_probe.max_iter=30",
            // k-NN off and the probe in MLlib: the evaluation's path for features too large for the driver
            "--set", "eval.knn.enabled=false", "--set", "eval.linear_probe.driver_max_mb=0",
            "--set", "eval.random_init_baseline=false", "--set", "simclr.proj_hidden_dim=64",
            "--set", "simclr.proj_output_dim=32", "--set", "simclr.distill_proj_hidden_dim=64");

    private static String[] args(String conf, Path root, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--conf", conf));
        a.addAll(SMALL);
        a.addAll(List.of("--set", "data.root=" + root, "--set", "output.dir=" + out));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static JsonNode results(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    @Test
    void imagenet100ClassIncrementalSkipsACorruptImageAndReportsIt(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("imagenet100");
        List<String> classes = TinyImages.classFolders(root, 4, 10, 3, 1);
        // odd files of a real crawl: CMYK and grayscale JPEGs, a 16-bit PNG, a corrupt file, a non-image file
        Path c0 = root.resolve("train").resolve(classes.get(0));
        TinyImages.write(c0.resolve("cmyk.jpg"), TinyImages.cmykJpeg(48, 40));
        TinyImages.write(c0.resolve("gray.jpg"), TinyImages.jpeg(TinyImages.grayRamp(50, 60, false), false));
        TinyImages.write(root.resolve("train").resolve(classes.get(1)).resolve("deep.png"),
                TinyImages.png(TinyImages.grayRamp(44, 52, true)));
        TinyImages.write(root.resolve("train").resolve(classes.get(2)).resolve("broken.jpg"), new byte[] {1, 2, 3, 4});
        TinyImages.write(root.resolve("train").resolve(classes.get(2)).resolve("notes.txt"), "not an image".getBytes());

        Path out = dir.resolve("run");
        String console = EndToEndTest.run(args("conf/imagenet100-class.conf", root, out,
                "--set", "data.num_classes=4", "--set", "scenario.tasks=2", "--set", "spark.batch_size_per_worker=8",
                "--set", "data.bad_images=skip"));
        JsonNode r = results(out);
        assertEquals("imagenet100", r.get("run").get("dataset").asText());
        assertEquals(2, r.get("tasks").size());
        int images = 0;
        for (JsonNode t : r.get("tasks")) images += t.get("train_images").asInt();
        assertEquals(4 * 10 + 4, images, "every listed image file, the corrupt one included (skipped when read)");
        // labels are the sorted class folders' indices; the default order of 4 classes is 0..3
        assertEquals("[0,1]", r.get("tasks").get(0).get("classes").toString());
        assertTrue(console.contains("unreadable image(s) skipped (data.bad_images = skip)"), console);
        assertTrue(console.contains("broken.jpg"), console);
        double all = r.get("tasks").get(1).get("accuracy_all").asDouble();
        assertTrue(all > 0.25, "linear probe above chance on 4 classes: " + all);

        // the same data with the default policy stops with a message naming the file, not a stack trace alone
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args("conf/imagenet100-class.conf", root, dir.resolve("run-fail"),
                        "--set", "data.num_classes=4", "--set", "scenario.tasks=2",
                        "--set", "spark.batch_size_per_worker=8", "--set", "scenario.class_order=[2,3,0,1]"),
                new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, message);
        assertTrue(message.startsWith("error: ") && message.contains("broken.jpg")
                && message.contains("not a JPEG, PNG or BMP image"), message);
    }

    @Test
    void imagenet100DataIncrementalSplitsTheImagesWithTheRemainderFirst(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("imagenet100");
        TinyImages.classFolders(root, 4, 11, 3, 2);
        Path out = dir.resolve("run");
        SparkTestSession.get();
        String console = EndToEndTest.run(args("conf/imagenet100-data.conf", root, out,
                "--set", "data.num_classes=4", "--set", "scenario.tasks=3", "--set", "spark.batch_size_per_worker=4"));
        JsonNode r = results(out);
        assertEquals("data-incremental", r.get("run").get("scenario").asText());
        List<Integer> sizes = new ArrayList<>();
        for (JsonNode t : r.get("tasks")) sizes.add(t.get("train_images").asInt());
        assertEquals(List.of(16, 14, 14), sizes, "44 images in 3 parts: 44 // 3 = 14, the remainder of 2 to the first");
        assertTrue(console.contains("part 1/3 of the training images, all 4 classes"), console);
        assertEquals(3, r.get("accuracy_matrix").size());
    }

    @Test
    void domainNetDomainIncrementalTrainsOneDomainPerTask(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("domainnet");
        List<String> domains = List.of("real", "quickdraw", "painting", "sketch", "infograph", "clipart");
        TinyImages.domainNet(root, domains, 3, 6, 2, 3);
        Path out = dir.resolve("run");
        String console = EndToEndTest.run(args("conf/domainnet.conf", root, out,
                "--set", "data.num_classes=3", "--set", "spark.batch_size_per_worker=8"));
        JsonNode r = results(out);
        assertEquals("domain-incremental", r.get("run").get("scenario").asText());
        assertEquals(6, r.get("tasks").size());
        for (JsonNode t : r.get("tasks")) {
            assertEquals(18, t.get("train_images").asInt(), "3 classes x 6 images of one domain");
            assertEquals(3, t.get("classes").size(), "all classes in every task");
        }
        int last = 0;
        for (String d : domains) {
            int at = console.indexOf(": domain " + d + ",");
            assertTrue(at > last, "domain " + d + " in order: " + console);
            last = at;
        }
        assertEquals(6, r.get("accuracy_matrix").get(5).size(), "one column per domain");
    }
}

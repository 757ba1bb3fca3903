package org.pnrspark.cli;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.image.DecodedImage;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.PackedShards;
import org.pnrspark.data.Split;
import org.pnrspark.testutil.SparkTestSession;
import org.pnrspark.testutil.TinyImages;
import org.pnrspark.util.HadoopConf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare packs real image layouts into shards on Spark local[2]; the packed dataset reads as the original. */
class PrepareCommandTest {
    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        SparkTestSession.get();
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static JobConfig config(String... sets) {
        return ConfigLoader.load(List.of(), List.of(sets));
    }

    @Test
    void classFoldersPackIntoShardsThatReadAsTheOriginal(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("folders");
        TinyImages.classFolders(root, 3, 6, 2, 4);
        TinyImages.write(root.resolve("train").resolve("n00_class").resolve("zz_broken.jpg"), new byte[] {9, 9, 9});
        String[] data = {"data.dataset=image-folder", "data.num_classes=3", "scenario.tasks=3", "data.root=" + root};

        // the default policy stops at the corrupt file, naming it, and leaves no usable packed directory
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("prepare", "--out", dir.resolve("failed").toString()));
        for (String s : data) args.addAll(List.of("--set", s));
        assertEquals(2, run(out, err, args.toArray(String[]::new)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("zz_broken.jpg"), err.toString(StandardCharsets.UTF_8));
        assertTrue(!Files.exists(dir.resolve("failed").resolve(PackedShards.MARKER)));

        Path packed = dir.resolve("packed");
        args = new ArrayList<>(List.of("prepare", "--out", packed.toString(), "--resize", "48", "--shard-images", "4",
                "--set", "data.bad_images=skip"));
        for (String s : data) args.addAll(List.of("--set", s));
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        assertEquals(0, run(out, err, args.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        String console = out.toString(StandardCharsets.UTF_8);
        assertTrue(console.contains("24 images packed; 1 unreadable image(s) skipped"), console);
        assertTrue(Files.readString(packed.resolve(PackedShards.MARKER)).startsWith(PackedShards.MAGIC_LINE + "\n"));
        try (var shards = Files.list(packed.resolve("shards"))) {
            assertEquals(5 + 2, shards.filter(p -> p.toString().endsWith(".pnr")).count(),
                    "19 training images in shards of 4, 6 test images in shards of 4");
        }

        HadoopConf hadoop = new HadoopConf(new Configuration());
        JobConfig original = config(data);
        String[] packedData = data.clone();
        packedData[3] = "data.root=" + packed;
        JobConfig fromShards = config(packedData);
        for (Split split : Split.values()) {
            ImageSource a = ImageSources.get(original, split, hadoop);
            ImageSource b = ImageSources.get(fromShards, split, hadoop);
            int[] expected = a.labels();
            if (split == Split.TRAIN) {
                // the corrupt file (last of class 0) is left out
                int bad = 6;
                int[] kept = new int[expected.length - 1];
                System.arraycopy(expected, 0, kept, 0, bad);
                System.arraycopy(expected, bad + 1, kept, bad, expected.length - bad - 1);
                expected = kept;
            }
            assertArrayEquals(expected, b.labels(), split.toString());
            for (int i = 0; i < b.size(); i++) {
                DecodedImage image = b.read(i);
                assertTrue(Math.min(image.height(), image.width()) <= 48, "short side " + image.height() + "x"
                        + image.width());
            }
        }
    }

    @Test
    void domainNetPacksOneIndexPerDomainAndSplit(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("dn");
        TinyImages.domainNet(root, List.of("real", "sketch"), 2, 3, 1, 8);
        String[] data = {"data.dataset=domainnet", "data.num_classes=2", "scenario.type=domain-incremental",
                "scenario.tasks=2", "scenario.domains=[real,sketch]", "data.root=" + root};
        Path packed = dir.resolve("packed");
        List<String> args = new ArrayList<>(List.of("prepare", "--out", packed.toString(), "--resize", "0"));
        for (String s : data) args.addAll(List.of("--set", s));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        assertEquals(0, run(out, err, args.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        for (String split : List.of("real_train", "real_test", "sketch_train", "sketch_test")) {
            assertTrue(Files.isRegularFile(packed.resolve(split + ".index")), split);
        }
        String[] packedData = data.clone();
        packedData[5] = "data.root=" + packed;
        ImageSource b = ImageSources.get(config(packedData), Split.TRAIN, new HadoopConf(new Configuration()));
        ImageSource a = ImageSources.get(config(data), Split.TRAIN, new HadoopConf(new Configuration()));
        assertEquals(12, b.size());
        for (int i = 0; i < b.size(); i++) {
            assertEquals(a.domain(i), b.domain(i));
            // --resize 0 keeps the original bytes: the same pixels
            assertArrayEquals(a.read(i).pixels(), b.read(i).pixels(), 0f);
        }
    }
}

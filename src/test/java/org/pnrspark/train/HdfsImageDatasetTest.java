package org.pnrspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.image.DecodedImage;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.PackedShards;
import org.pnrspark.data.Split;
import org.pnrspark.util.HadoopConf;
import org.pnrspark.testutil.TinyImages;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DomainNet on a real (in-process) HDFS: listed and packed there by prepare (a Spark job), then every image read back
 * from the shards on HDFS as executors read them.
 */
class HdfsImageDatasetTest {
    private static MiniDFSCluster cluster;
    private static String base;

    @BeforeAll
    static void startHdfs(@TempDir java.nio.file.Path dir) throws IOException {
        cluster = org.pnrspark.testutil.MiniHdfs.start(dir.resolve("hdfs"));
        base = org.pnrspark.testutil.MiniHdfs.uri(cluster);
        java.nio.file.Path local = dir.resolve("domainnet");
        TinyImages.domainNet(local, List.of("real", "sketch"), 3, 6, 2, 9);
        FileSystem fs = cluster.getFileSystem();
        fs.copyFromLocalFile(new Path(local.toString()), new Path("/datasets/domainnet"));
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) cluster.shutdown();
    }

    @Test
    void packsOnHdfsAndReadsBackFromTheShards() throws IOException {
        List<String> data = List.of("--set", "data.num_classes=3", "--set", "scenario.tasks=2",
                "--set", "scenario.domains=[real,sketch]");
        List<String> prepare = new ArrayList<>(List.of("prepare", "--conf", "conf/domainnet.conf",
                "--set", "data.root=" + base + "/datasets/domainnet", "--out", base + "/datasets/domainnet-packed",
                "--resize", "48", "--shard-images", "10"));
        prepare.addAll(data);
        String packing = EndToEndTest.run(prepare.toArray(String[]::new));
        assertTrue(packing.contains("48 images packed"), packing);
        Storage hdfs = new Storage(new Configuration());
        assertTrue(hdfs.isFile(base + "/datasets/domainnet-packed/" + PackedShards.MARKER));
        assertTrue(hdfs.isFile(base + "/datasets/domainnet-packed/shards/real_train-00001.pnr"), "18 images, 10 a shard");

        // every image read back from the shards on HDFS, as executors read them, with its list's label and domain
        List<String> sets = new ArrayList<>(List.of("data.dataset=domainnet", "data.num_classes=3", "scenario.tasks=2",
                "scenario.type=domain-incremental", "scenario.domains=[real,sketch]"));
        JobConfig original = ConfigLoader.load(List.of(), concat(sets, "data.root=" + base + "/datasets/domainnet"));
        JobConfig packed = ConfigLoader.load(List.of(),
                concat(sets, "data.root=" + base + "/datasets/domainnet-packed"));
        HadoopConf hadoop = new HadoopConf(new Configuration());
        for (Split split : Split.values()) {
            ImageSource a = ImageSources.get(original, split, hadoop);
            ImageSource b = ImageSources.get(packed, split, hadoop);
            assertArrayEquals(a.labels(), b.labels());
            for (int i = 0; i < b.size(); i++) {
                assertEquals(a.domain(i), b.domain(i));
                DecodedImage image = b.read(i);
                assertTrue(Math.min(image.height(), image.width()) <= 48);
            }
        }
    }

    private static List<String> concat(List<String> sets, String more) {
        List<String> all = new ArrayList<>(sets);
        all.add(more);
        return all;
    }
}

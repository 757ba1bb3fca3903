package org.pnrspark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.DatasetKind;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.DataFormatException;
import org.pnrspark.data.Datasets;
import org.pnrspark.data.FileImageSource;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.PackedShards;
import org.pnrspark.data.ShardWriter;
import org.pnrspark.data.Split;
import org.pnrspark.train.SparkSessions;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code prepare}: packs an image dataset (ImageNet-100 or image folders, DomainNet) into a few large shard files on
 * any Hadoop file system (docs/running.md: Preparing large datasets), one Spark task per shard. Bad images are found here,
 * once: the run stops on the first (data.bad_images = fail) or leaves them out and counts them (skip).
 */
public final class PrepareCommand {
    static final String USAGE = """
            usage: pnr-spark prepare --conf FILE [--set KEY=VALUE] --out DIR [--resize 256] [--shard-images 1000]
                                     [--quality 95]

            Packs the configured dataset (data.dataset, data.root, data.train_dir/val_dir or scenario.domains) into
            DIR: <split>.index files and shards/<split>-NNNNN.pnr files of --shard-images images each, then a PACKED
            marker. Images whose short side is above --resize are shrunk to it (bicubic) and stored as JPEG of
            --quality; smaller ones, and all of them with --resize 0, are stored as they are. Train on the packed
            dataset with --set data.root=DIR.
            """;

    private PrepareCommand() {}

    record Options(List<String> confs, List<String> sets, String out, int resize, int shardImages, float quality) {}

    /** One shard: which images of which split go into it. */
    record ShardJob(String split, Split part, String shard, int[] positions) implements Serializable {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        JobConfig config;
        Storage storage;
        String root;
        try {
            o = parse(args);
            List<ConfigLoader.Source> sources = new ArrayList<>();
            for (String f : o.confs()) sources.add(ConfigLoader.readLocalFile(f));
            config = ConfigLoader.load(sources, o.sets());
            if (!config.data().dataset().imageFiles()) {
                throw InvalidConfigException.expected("data.dataset", config.data().dataset().configName(), "",
                        "imagenet100, domainnet or image-folder: the datasets of image files");
            }
            storage = new Storage(SparkSessions.hadoopConfigurationBeforeSpark(config));
            root = storage.qualify(o.out());
            if (PackedShards.isPacked(storage, root)) {
                throw new IllegalArgumentException("--out " + root + " already holds a packed dataset; choose another");
            }
            if (PackedShards.isPacked(storage, config.data().root())) {
                throw new IllegalArgumentException("data.root " + config.data().root() + " is already packed");
            }
            Datasets.checkReadable(config, storage);
        } catch (IllegalArgumentException | InvalidConfigException | DataFormatException | IOException e) {
            err.println("error: " + e.getMessage());
            if (e instanceof IllegalArgumentException) err.print(USAGE);
            return 2;
        }
        boolean ownSession = SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
        SparkSession spark = SparkSessions.create(config, "prepare");
        try {
            pack(spark, config, storage, root, o, out);
            return 0;
        } catch (Exception e) {
            DataFormatException bad = DataFormatException.causeOf(e);
            if (bad == null) throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            err.println("error: " + bad.getMessage());
            return 2;
        } finally {
            if (ownSession) spark.stop();
        }
    }

    private static void pack(SparkSession spark, JobConfig config, Storage storage, String root, Options o,
            PrintStream out) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ImageAccess access = ImageAccess.create(sc);
        Map<String, List<ShardJob>> splits = new LinkedHashMap<>();
        for (Split part : Split.values()) {
            FileImageSource source = (FileImageSource) ImageSources.get(config, part, access.value());
            String suffix = part == Split.TRAIN ? "train" : "test";
            if (config.data().dataset() == DatasetKind.DOMAINNET) {
                List<String> domains = config.scenario().domains();
                for (int d = 0; d < domains.size(); d++) {
                    int domain = d;
                    int[] positions = java.util.stream.IntStream.range(0, source.size())
                            .filter(i -> source.domain(i) == domain).toArray();
                    splits.put(domains.get(d) + "_" + suffix, shards(domains.get(d) + "_" + suffix, part, positions,
                            o.shardImages()));
                }
            } else {
                splits.put(suffix, shards(suffix, part, java.util.stream.IntStream.range(0, source.size()).toArray(),
                        o.shardImages()));
            }
        }
        List<ShardJob> jobs = splits.values().stream().flatMap(List::stream).toList();
        out.printf("prepare: %s from %s into %s: %d splits, %d shards (short side %s, %d images per shard)%n",
                config.data().dataset().configName(), config.data().root(), root, splits.size(), jobs.size(),
                o.resize() > 0 ? "at most " + o.resize() : "kept", o.shardImages());
        sc.setJobDescription("prepare: pack " + jobs.size() + " shards");
        boolean skip = config.data().images().skipBad();
        int resize = o.resize();
        float quality = o.quality();
        // the jobs travel inside the closure (Java serialisation); Spark's Kryo cannot build records
        List<Integer> jobNumbers = java.util.stream.IntStream.range(0, jobs.size()).boxed().toList();
        List<ShardWriter.Result> results = sc.parallelize(jobNumbers, Math.max(1, jobs.size())).map(j -> {
            ShardJob job = jobs.get(j);
            FileImageSource source = (FileImageSource) ImageSources.get(config, job.part(), access.value());
            return ShardWriter.write(new Storage(access.value().get()), root, job.shard(), source, job.positions(),
                    resize, quality, skip);
        }).collect();
        long images = 0;
        int skipped = 0;
        List<String> notes = new ArrayList<>();
        for (ShardWriter.Result r : results) {
            images += r.images;
            skipped += r.skipped;
            notes.addAll(r.notes);
        }
        // each split's index from its shards' parts, in order; then the marker that makes the directory usable
        for (Map.Entry<String, List<ShardJob>> split : splits.entrySet()) {
            StringBuilder index = new StringBuilder();
            for (ShardJob job : split.getValue()) {
                String fragment = Storage.child(root, ShardWriter.fragment(job.shard()));
                index.append(storage.readString(fragment));
            }
            storage.writeString(PackedShards.indexFile(root, split.getKey()), index.toString());
            for (ShardJob job : split.getValue()) {
                String fragment = Storage.child(root, ShardWriter.fragment(job.shard()));
                new org.apache.hadoop.fs.Path(fragment).getFileSystem(storage.conf())
                        .delete(new org.apache.hadoop.fs.Path(fragment), false);
            }
        }
        storage.writeString(Storage.child(root, PackedShards.MARKER), ShardWriter.manifest(
                config.data().dataset().configName(), config.data().root(), resize, List.copyOf(splits.keySet()), images));
        out.printf("prepare: %d images packed%s%n", images, skipped == 0 ? ""
                : String.format("; %d unreadable image(s) skipped (data.bad_images = skip), e.g. %s", skipped,
                        String.join("; ", notes.subList(0, Math.min(3, notes.size())))));
        out.println("train on it with --set data.root=" + root);
        access.destroy();
    }

    private static List<ShardJob> shards(String split, Split part, int[] positions, int perShard) {
        List<ShardJob> jobs = new ArrayList<>();
        for (int s = 0, n = 0; s < positions.length; s += perShard, n++) {
            jobs.add(new ShardJob(split, part, String.format("shards/%s-%05d.pnr", split, n),
                    Arrays.copyOfRange(positions, s, Math.min(positions.length, s + perShard))));
        }
        return jobs;
    }

    static Options parse(String[] args) {
        List<String> confs = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        String outDir = null;
        int resize = 256, shardImages = 1000, quality = 95;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--conf" -> confs.add(value(args, ++i, a));
                case "--set" -> sets.add(value(args, ++i, a));
                case "--out" -> outDir = value(args, ++i, a);
                case "--resize" -> resize = atLeast(value(args, ++i, a), a, 0);
                case "--shard-images" -> shardImages = atLeast(value(args, ++i, a), a, 1);
                case "--quality" -> quality = atLeast(value(args, ++i, a), a, 1);
                default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
        if (outDir == null) throw new IllegalArgumentException("--out DIR is required");
        if (quality > 100) throw new IllegalArgumentException("--quality: " + quality + " is not in 1..100");
        return new Options(confs, sets, outDir, resize, shardImages, quality / 100f);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int atLeast(String v, String option, int min) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": \"" + v + "\" is not an integer >= " + min);
    }
}

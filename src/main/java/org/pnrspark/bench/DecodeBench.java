package org.pnrspark.bench;

import org.pnrspark.augment.SampleRandom;
import org.pnrspark.augment.ViewAugmenter;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.BadImageException;
import org.pnrspark.image.DecodedImage;
import org.pnrspark.data.ImageDecoder;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code bench --decode}: what one core of an executor spends per training image before the network sees it:
 * decode an encoded image (JPEG, PNG) to RGB and draw its two augmented views at the configured size (224 for the
 * image-file datasets), as {@code TaskBatchLoader} does. On generated photo-sized JPEGs, or on the images of a folder.
 */
public final class DecodeBench {
    static final String USAGE = """
            usage: pnr-spark bench --decode [--images DIR] [--count 64] [--width 500] [--height 375] [--repeats 5]
                                   [--threads 1] [--conf FILE] [--set KEY=VALUE]

            Decodes images and draws their two augmented views (the configuration's pipeline; by default the
            ImageNet-100 / DomainNet one of the PNR scripts at 224x224) in --threads threads, and prints source images
            per second per core (min / median / max over the repeats) with the time split into decoding and
            augmentation. --images: the .jpg/.jpeg/.png files under DIR (recursively, at most --count); otherwise
            --count generated JPEGs (quality 90) of --width x --height.
            """;

    /** The ImageNet-100 / DomainNet pipeline of the PNR scripts (docs/reference.md §6.2), used without --conf. */
    static final List<String> IMAGENET_PIPELINE = List.of("data.dataset=imagenet100", "augment.blur_prob=[1.0,0.1]",
            "augment.solarize_prob=[0.0,0.2]", "augment.crop_min_scale=[0.08,0.08]");

    private DecodeBench() {}

    record Options(List<String> confs, List<String> sets, Path images, int count, int width, int height, int repeats,
            int threads) {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        JobConfig config;
        List<byte[]> images;
        try {
            o = parse(args);
            List<ConfigLoader.Source> sources = new ArrayList<>();
            for (String f : o.confs()) sources.add(ConfigLoader.readLocalFile(f));
            List<String> sets = new ArrayList<>(o.confs().isEmpty() ? IMAGENET_PIPELINE : List.of());
            sets.addAll(o.sets());
            config = ConfigLoader.load(sources, sets);
            images = o.images() == null ? generated(o.count(), o.width(), o.height()) : read(o.images(), o.count());
        } catch (IllegalArgumentException | InvalidConfigException | IOException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        JobConfig.Data d = config.data();
        out.printf(Locale.ROOT, "bench --decode: %d %s, decode + 2 views at %dx%d (%s pipeline), %d thread(s), %d repeats%n",
                images.size(), o.images() == null ? "generated " + o.width() + "x" + o.height() + " JPEGs"
                        : "images from " + o.images(), d.height(), d.width(),
                o.confs().isEmpty() ? "ImageNet-100" : String.join(",", o.confs()), o.threads(), o.repeats());
        try {
            measure(config, images, 1, o.threads()); // warm-up: JIT, ImageIO plug-in registry
            double[] rates = new double[o.repeats()];
            double[] decodeMs = new double[o.repeats()];
            double[] augmentMs = new double[o.repeats()];
            for (int r = 0; r < o.repeats(); r++) {
                Measurement m = measure(config, images, 1, o.threads());
                rates[r] = m.imagesPerSecondPerCore();
                decodeMs[r] = m.decodeMsPerImage();
                augmentMs[r] = m.augmentMsPerImage();
            }
            out.printf(Locale.ROOT, "%-32s %10s %10s %10s%n", "", "min", "median", "max");
            out.printf(Locale.ROOT, "%-32s %10.1f %10.1f %10.1f%n", "images/s per core (2 views each)",
                    Repeats.min(rates), Repeats.median(rates), Repeats.max(rates));
            out.printf(Locale.ROOT, "%-32s %10.1f %10.1f %10.1f%n", "views/s per core", 2 * Repeats.min(rates),
                    2 * Repeats.median(rates), 2 * Repeats.max(rates));
            out.printf(Locale.ROOT, "median ms per image: decode %.2f, two views %.2f%n", Repeats.median(decodeMs),
                    Repeats.median(augmentMs));
            return 0;
        } catch (BadImageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    record Measurement(double imagesPerSecondPerCore, double decodeMsPerImage, double augmentMsPerImage) {}

    /** Every thread decodes and augments all images {@code passes} times; rates are per thread (per core). */
    static Measurement measure(JobConfig config, List<byte[]> images, int passes, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> work(config, images, passes, thread)));
            }
            long decodeNanos = 0, augmentNanos = 0;
            for (Future<long[]> f : futures) {
                long[] nanos = f.get();
                decodeNanos += nanos[0];
                augmentNanos += nanos[1];
            }
            double perThreadImages = (double) images.size() * passes;
            double secondsPerThread = (decodeNanos + augmentNanos) / 1e9 / threads;
            return new Measurement(perThreadImages / secondsPerThread, decodeNanos / 1e6 / (perThreadImages * threads),
                    augmentNanos / 1e6 / (perThreadImages * threads));
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdown();
        }
    }

    /** [decode nanoseconds, augmentation nanoseconds] of one thread. */
    private static long[] work(JobConfig config, List<byte[]> images, int passes, int thread) {
        JobConfig.Data d = config.data();
        JobConfig.Augment a = config.augment();
        int c = d.channels(), h = d.height(), w = d.width();
        ViewAugmenter[] views = {new ViewAugmenter(a.view1(), a.mean(), a.std(), c, h, w),
                new ViewAugmenter(a.view2(), a.mean(), a.std(), c, h, w)};
        float[] out = new float[2 * c * h * w];
        long decode = 0, augment = 0;
        for (int p = 0; p < passes; p++) {
            for (int i = 0; i < images.size(); i++) {
                long t0 = System.nanoTime();
                DecodedImage image = ImageDecoder.decode("image " + i, images.get(i));
                long t1 = System.nanoTime();
                var rng = SampleRandom.forSample(config.run().seed(), thread, p, i);
                views[0].apply(image.pixels(), image.height(), image.width(), rng, out, 0);
                views[1].apply(image.pixels(), image.height(), image.width(), rng, out, c * h * w);
                augment += System.nanoTime() - t1;
                decode += t1 - t0;
            }
        }
        return new long[] {decode, augment};
    }

    /** Photo-like JPEGs: smooth colour fields, edges and noise (a flat image would decode unrealistically fast). */
    static List<byte[]> generated(int count, int width, int height) throws IOException {
        List<byte[]> out = new ArrayList<>();
        Random r = new Random(7);
        for (int k = 0; k < count; k++) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            double fx = 2 + r.nextDouble() * 6, fy = 2 + r.nextDouble() * 6, phase = r.nextDouble() * 6.28;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double u = (double) x / width, v = (double) y / height;
                    int red = (int) (128 + 90 * Math.sin(fx * u * 6.28 + phase) + r.nextGaussian() * 12);
                    int green = (int) (128 + 90 * Math.cos(fy * v * 6.28 - phase) + r.nextGaussian() * 12);
                    int blue = (int) ((u + v) * 100 + (((x / 37 + y / 29) & 1) == 0 ? 40 : 0) + r.nextGaussian() * 12);
                    img.setRGB(x, y, (clamp(red) << 16) | (clamp(green) << 8) | clamp(blue));
                }
            }
            out.add(jpeg(img));
        }
        return out;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] jpeg(BufferedImage img) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static List<byte[]> read(Path dir, int count) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--images: " + dir + " is not a directory");
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).filter(DecodeBench::isImage).sorted().limit(count).toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--images: no .jpg, .jpeg or .png files under " + dir);
        return out;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    static Options parse(String[] args) {
        List<String> confs = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        Path images = null;
        int count = 64, width = 500, height = 375, repeats = 5, threads = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--decode" -> { }
                case "--conf" -> confs.add(BenchArgs.value(args, ++i, a));
                case "--set" -> sets.add(BenchArgs.value(args, ++i, a));
                case "--images" -> images = Path.of(BenchArgs.value(args, ++i, a));
                case "--count" -> count = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--width" -> width = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--height" -> height = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--repeats" -> repeats = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--threads" -> threads = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
        return new Options(confs, sets, images, count, width, height, repeats, threads);
    }

}

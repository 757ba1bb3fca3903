package org.pnrspark.augment;

import org.pnrspark.image.Resampler;
import org.pnrspark.config.JobConfig;

import java.util.SplittableRandom;

/**
 * The augmentation pipeline of one view, in the order of the reference's torchvision pipeline (docs/reference.md §6.1):
 * RandomResizedCrop (bicubic) → colour jitter with probability p (brightness, contrast, saturation, hue in random
 * order) → random grayscale → Gaussian blur → solarisation → horizontal flip → normalisation.
 *
 * <p>Works on channel-major float images holding 0..255; intermediate results are rounded to integers as the
 * reference's 8-bit PIL images are. Not thread-safe: use one instance per thread.
 */
public final class ViewAugmenter {
    private final JobConfig.ViewAugment p;
    private final float[] mean;
    private final float[] invStd;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] work;
    private final float[] scratch;

    public ViewAugmenter(JobConfig.ViewAugment params, double[] mean, double[] std, int channels, int height,
            int width) {
        this.p = params;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mean = new float[channels];
        this.invStd = new float[channels];
        for (int c = 0; c < channels; c++) {
            this.mean[c] = (float) mean[c];
            this.invStd[c] = (float) (1.0 / std[c]);
        }
        this.work = new float[channels * height * width];
        this.scratch = new float[channels * height * width];
    }

    /** The crop box chosen by RandomResizedCrop: top, left, height, width. */
    public record Box(int top, int left, int height, int width) {}

    /**
     * Augments one image (channel-major, values 0..255, this augmenter's geometry) and writes the normalised
     * view to dst[offset ..].
     */
    public void apply(float[] image, SplittableRandom rng, float[] dst, int offset) {
        apply(image, height, width, rng, dst, offset);
    }

    /**
     * Augments an image of any size (channel-major, values 0..255, this augmenter's channels): the random crop is
     * drawn on the source and resized to this augmenter's geometry (RandomResizedCrop(224) on ImageNet images).
     */
    public void apply(float[] image, int srcHeight, int srcWidth, SplittableRandom rng, float[] dst, int offset) {
        Box box = randomResizedCropBox(srcHeight, srcWidth, p.cropMinScale(), p.cropMaxScale(), p.ratioMin(),
                p.ratioMax(), rng);
        Resampler.resize(image, channels, srcHeight, srcWidth, box.top(), box.left(), box.height(), box.width(),
                work, height, width);
        if (rng.nextDouble() < p.jitterProb()) colorJitter(rng);
        if (rng.nextDouble() < p.grayscaleProb() && channels == 3) grayscale();
        if (rng.nextDouble() < p.blurProb()) gaussianBlur(0.1 + rng.nextDouble() * 1.9);
        if (rng.nextDouble() < p.solarizeProb()) solarize();
        boolean flip = rng.nextDouble() < p.flipProb();
        normalizeInto(flip, dst, offset);
    }

    /** torchvision's RandomResizedCrop.get_params: ten tries at a random area and aspect ratio, then a centre crop. */
    public static Box randomResizedCropBox(int height, int width, double minScale, double maxScale, double ratioMin,
            double ratioMax, SplittableRandom rng) {
        double area = (double) height * width;
        double logMin = Math.log(ratioMin), logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * (minScale + rng.nextDouble() * (maxScale - minScale));
            double aspect = Math.exp(logMin + rng.nextDouble() * (logMax - logMin));
            int w = (int) Math.round(Math.sqrt(targetArea * aspect));
            int h = (int) Math.round(Math.sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Box(top, left, h, w);
            }
        }
        double inRatio = (double) width / height;
        int w, h;
        if (inRatio < ratioMin) {
            w = width;
            h = (int) Math.round(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = height;
            w = (int) Math.round(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new Box((height - h) / 2, (width - w) / 2, h, w);
    }

    private void colorJitter(SplittableRandom rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double b = factor(p.brightness(), rng);
        double c = factor(p.contrast(), rng);
        double s = factor(p.saturation(), rng);
        double h = p.hue() > 0 ? -p.hue() + rng.nextDouble() * 2 * p.hue() : 0;
        for (int op : order) {
            switch (op) {
                case 0 -> { if (p.brightness() > 0) blend(b, 0f); }
                case 1 -> { if (p.contrast() > 0) blend(c, Math.round(meanLuma())); }
                case 2 -> { if (p.saturation() > 0 && channels == 3) saturate(s); }
                default -> { if (p.hue() > 0 && channels == 3) shiftHue(h); }
            }
        }
    }

    /** A factor drawn from [max(0, 1 - x), 1 + x], or 1 when x is 0 (the op is then skipped). */
    private static double factor(double x, SplittableRandom rng) {
        if (x <= 0) return 1;
        double lo = Math.max(0, 1 - x);
        return lo + rng.nextDouble() * (1 + x - lo);
    }

    /** out = degenerate + f * (x - degenerate), rounded and clamped (PIL ImageEnhance). */
    private void blend(double f, float degenerate) {
        for (int i = 0; i < work.length; i++) {
            work[i] = round255(degenerate + f * (work[i] - degenerate));
        }
    }

    private float luma(int px) {
        if (channels == 1) return work[px];
        int plane = height * width;
        return (work[px] * 299 + work[plane + px] * 587 + work[2 * plane + px] * 114) / 1000f;
    }

    private float meanLuma() {
        int plane = height * width;
        double sum = 0;
        for (int px = 0; px < plane; px++) sum += Math.rint(luma(px));
        return (float) (sum / plane);
    }

    private void saturate(double f) {
        int plane = height * width;
        for (int px = 0; px < plane; px++) {
            float gray = Math.round(luma(px));
            for (int c = 0; c < 3; c++) {
                int i = c * plane + px;
                work[i] = round255(gray + f * (work[i] - gray));
            }
        }
    }

    /** Rotates the hue by a fraction of a turn, through HSV. */
    private void shiftHue(double shift) {
        int plane = height * width;
        for (int px = 0; px < plane; px++) {
            float r = work[px] / 255f, g = work[plane + px] / 255f, b = work[2 * plane + px] / 255f;
            float max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
            float v = max, d = max - min;
            float s = max == 0 ? 0 : d / max;
            double hh;
            if (d == 0) {
                hh = 0;
            } else if (max == r) {
                hh = ((g - b) / d) / 6.0;
            } else if (max == g) {
                hh = ((b - r) / d + 2) / 6.0;
            } else {
                hh = ((r - g) / d + 4) / 6.0;
            }
            hh = hh + shift;
            hh -= Math.floor(hh);
            double h6 = hh * 6;
            int sector = (int) Math.floor(h6) % 6;
            double frac = h6 - Math.floor(h6);
            double pv = v * (1 - s), qv = v * (1 - s * frac), tv = v * (1 - s * (1 - frac));
            double rr, gg, bb;
            switch (sector) {
                case 0 -> { rr = v; gg = tv; bb = pv; }
                case 1 -> { rr = qv; gg = v; bb = pv; }
                case 2 -> { rr = pv; gg = v; bb = tv; }
                case 3 -> { rr = pv; gg = qv; bb = v; }
                case 4 -> { rr = tv; gg = pv; bb = v; }
                default -> { rr = v; gg = pv; bb = qv; }
            }
            work[px] = round255(rr * 255);
            work[plane + px] = round255(gg * 255);
            work[2 * plane + px] = round255(bb * 255);
        }
    }

    private void grayscale() {
        int plane = height * width;
        for (int px = 0; px < plane; px++) {
            float gray = Math.round(luma(px));
            work[px] = gray;
            work[plane + px] = gray;
            work[2 * plane + px] = gray;
        }
    }

    /**
     * Separable Gaussian blur with edge pixels extended. Each row (then column) is copied into a buffer padded with
     * its edge values, so that the inner loop needs no bounds checks; the sums run in the same order as a clamped
     * loop would, so the result is the same.
     */
    private void gaussianBlur(double sigma) {
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        float[] pad = new float[Math.max(width, height) + 2 * radius];
        for (int c = 0; c < channels; c++) {
            int base = c * height * width;
            for (int y = 0; y < height; y++) {
                int row = base + y * width;
                for (int i = 0; i < radius; i++) {
                    pad[i] = work[row];
                    pad[radius + width + i] = work[row + width - 1];
                }
                System.arraycopy(work, row, pad, radius, width);
                for (int x = 0; x < width; x++) {
                    double acc = 0;
                    for (int t = 0; t < k.length; t++) acc += k[t] * pad[x + t];
                    scratch[row + x] = (float) acc;
                }
            }
            for (int x = 0; x < width; x++) {
                for (int i = 0; i < radius; i++) {
                    pad[i] = scratch[base + x];
                    pad[radius + height + i] = scratch[base + (height - 1) * width + x];
                }
                for (int y = 0; y < height; y++) pad[radius + y] = scratch[base + y * width + x];
                for (int y = 0; y < height; y++) {
                    double acc = 0;
                    for (int t = 0; t < k.length; t++) acc += k[t] * pad[y + t];
                    work[base + y * width + x] = round255(acc);
                }
            }
        }
    }

    /** PIL's solarize with threshold 128: every value >= 128 becomes 255 - value. */
    private void solarize() {
        for (int i = 0; i < work.length; i++) {
            if (work[i] >= 128) work[i] = 255 - work[i];
        }
    }

    private void normalizeInto(boolean flip, float[] dst, int offset) {
        for (int c = 0; c < channels; c++) {
            int base = c * height * width;
            float m = mean[c], is = invStd[c];
            for (int y = 0; y < height; y++) {
                int row = base + y * width;
                for (int x = 0; x < width; x++) {
                    float v = work[row + (flip ? width - 1 - x : x)];
                    dst[offset + row + x] = (v / 255f - m) * is;
                }
            }
        }
    }

    private static float round255(double v) {
        return Resampler.clamp255((float) Math.rint(v));
    }

    /** Normalisation only (evaluation images): (x / 255 - mean) / std per channel. */
    public static void normalize(float[] image, int channels, int plane, double[] mean, double[] std, float[] dst,
            int offset) {
        for (int c = 0; c < channels; c++) {
            float m = (float) mean[c], is = (float) (1.0 / std[c]);
            for (int i = 0; i < plane; i++) {
                dst[offset + c * plane + i] = (image[c * plane + i] / 255f - m) * is;
            }
        }
    }
}

package org.pnrspark.augment;

import org.junit.jupiter.api.Test;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.image.DecodedImage;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 224x224 pipeline of the ImageNet-100 / DomainNet scripts (docs/reference.md §6.2) and the evaluation transform.
* */
class ImageAugmentTest {
    private static JobConfig.ViewAugment only(double minScale, double solarize, double flip) {
        return new JobConfig.ViewAugment(minScale, 1.0, 3.0 / 4, 4.0 / 3, 0, 0, 0, 0, 0, 0, 0, solarize, flip);
    }

    @Test
    void cropAreaStaysInTheConfiguredRange() {
        for (double minScale : new double[] {0.08, 0.2}) {
            SplittableRandom rng = new SplittableRandom(1);
            double lo = 1, hi = 0;
            int h = 375, w = 500;
            for (int i = 0; i < 5000; i++) {
                ViewAugmenter.Box b = ViewAugmenter.randomResizedCropBox(h, w, minScale, 1.0, 3.0 / 4, 4.0 / 3, rng);
                double area = (double) b.height() * b.width() / (h * w);
                double ratio = (double) b.width() / b.height();
                assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= h && b.left() + b.width() <= w);
                // rounding of the sides moves the area by a few pixels' worth
                assertTrue(area >= minScale * 0.97 && area <= 1.0, "area " + area);
                assertTrue(ratio > 0.74 && ratio < 1.35 || area > 0.99, "ratio " + ratio);
                lo = Math.min(lo, area);
                hi = Math.max(hi, area);
            }
            assertTrue(lo < minScale + 0.02, "the smallest crops reach the minimum: " + lo);
            assertTrue(hi > 0.7, "large crops occur: " + hi);
        }
    }

    /** A 3 x h x w image whose value rises from left to right. */
    private static float[] ramp(int h, int w) {
        float[] px = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[(c * h + y) * w + x] = x * 255f / (w - 1);
        }
        return px;
    }

    @Test
    void flipRateIsNearOneHalfAndTheViewIs224() {
        ViewAugmenter a = new ViewAugmenter(only(0.08, 0, 0.5), new double[] {0, 0, 0}, new double[] {1, 1, 1}, 3,
                224, 224);
        float[] src = ramp(300, 400);
        float[] out = new float[3 * 224 * 224];
        int flipped = 0, n = 800;
        for (int i = 0; i < n; i++) {
            a.apply(src, 300, 400, new SplittableRandom(i), out, 0);
            if (out[0] > out[223]) flipped++;
        }
        double rate = (double) flipped / n;
        assertTrue(Math.abs(rate - 0.5) < 0.06, "flip rate " + rate + " (3 standard deviations: 0.053)");
    }

    @Test
    void solarisationInvertsFrom128Up() {
        ViewAugmenter a = new ViewAugmenter(only(1.0, 1.0, 0), new double[] {0, 0, 0}, new double[] {1, 1, 1}, 3, 8, 8);
        for (float v : new float[] {0, 100, 127, 128, 200, 255}) {
            float[] src = new float[3 * 8 * 8];
            java.util.Arrays.fill(src, v);
            float[] out = new float[src.length];
            a.apply(src, 8, 8, new SplittableRandom(3), out, 0);
            float expected = v >= 128 ? 255 - v : v;
            for (float o : out) assertEquals(expected, o * 255, 1e-3, "value " + v);
        }
    }

    @Test
    void normalisationUsesTheReferenceImageNetStatistics() {
        JobConfig c = ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/imagenet100-class.conf")), List.of());
        double[] mean = c.augment().mean(), std = c.augment().std();
        assertEquals(List.of(0.485, 0.456, 0.406), List.of(mean[0], mean[1], mean[2]));
        assertEquals(List.of(0.228, 0.224, 0.225), List.of(std[0], std[1], std[2]));
        ViewAugmenter a = new ViewAugmenter(only(1.0, 0, 0), mean, std, 3, 4, 4);
        float[] src = new float[3 * 16];
        java.util.Arrays.fill(src, 100);
        float[] out = new float[3 * 16];
        a.apply(src, 4, 4, new SplittableRandom(5), out, 0);
        for (int ch = 0; ch < 3; ch++) assertEquals((100 / 255.0 - mean[ch]) / std[ch], out[ch * 16], 1e-5);
    }

    @Test
    void evaluationResizesTheShortSideTo256AndCropsTheCentre224() {
        JobConfig c = ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/imagenet100-class.conf")),
                List.of("augment.mean=[0,0,0]", "augment.std=[1,1,1]"));
        EvalTransform t = new EvalTransform(c.data(), c.augment());
        int h = 300, w = 400;
        float[] out = new float[3 * 224 * 224];
        t.apply(new DecodedImage(ramp(h, w), 3, h, w), out, 0);
        // Resize(256): 300x400 -> 256x341; CenterCrop(224): left = round((341 - 224) / 2) = 58 (half to even)
        double scale = 400.0 / 341;
        for (int x = 10; x < 214; x += 17) {
            double sourceX = (58 + x + 0.5) * scale - 0.5;
            double expected = sourceX * 255 / (w - 1);
            assertEquals(expected, out[100 * 224 + x] * 255, 1.0, "column " + x);
        }
        // a square image is only resized
        float[] sq = new float[3 * 224 * 224];
        t.apply(new DecodedImage(ramp(256, 256), 3, 256, 256), sq, 0);
        assertEquals(16 * 255.0 / 255, sq[0] * 255, 1.0, "first column of the crop is source column 16");
    }
}

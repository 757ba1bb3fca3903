package org.pnrspark.augment;

import org.pnrspark.image.Resampler;
import org.junit.jupiter.api.Test;
import org.pnrspark.config.JobConfig;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewAugmenterTest {
    private static JobConfig.ViewAugment only(double jitter, double gray, double blur, double solarize, double flip,
            double minScale) {
        return new JobConfig.ViewAugment(minScale, 1.0, 0.75, 4.0 / 3, jitter, 0.4, 0.4, 0.2, 0.1, gray, blur, solarize,
                flip);
    }

    private static float[] ramp(int c, int h, int w) {
        float[] img = new float[c * h * w];
        for (int i = 0; i < img.length; i++) img[i] = (i * 37) % 256;
        return img;
    }

    @Test
    void cropBoxStaysInsideAndItsAreaInRange() {
        SplittableRandom rng = new SplittableRandom(3);
        int inRange = 0;
        for (int i = 0; i < 5000; i++) {
            ViewAugmenter.Box b = ViewAugmenter.randomResizedCropBox(32, 32, 0.2, 1.0, 0.75, 4.0 / 3, rng);
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 32 && b.left() + b.width() <= 32, b.toString());
            double area = b.height() * b.width() / 1024.0;
            double ratio = (double) b.width() / b.height();
            // rounding the sides to whole pixels moves area and ratio a little around the configured ranges
            if (area >= 0.2 - 0.05 && area <= 1.0 && ratio >= 0.75 - 0.15 && ratio <= 4.0 / 3 + 0.2) inRange++;
        }
        assertEquals(5000, inRange);
    }

    @Test
    void identityWhenEveryAugmentationIsOff() {
        ViewAugmenter a = new ViewAugmenter(only(0, 0, 0, 0, 0, 1.0), new double[] {0.5}, new double[] {0.25}, 1, 28, 28);
        float[] img = ramp(1, 28, 28);
        float[] out = new float[img.length];
        // a full-image crop with ratio 1 happens whenever the first draw is in range; try seeds until the box is full
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom probe = new SplittableRandom(seed);
            ViewAugmenter.Box b = ViewAugmenter.randomResizedCropBox(28, 28, 1.0, 1.0, 0.75, 4.0 / 3, probe);
            if (b.height() == 28 && b.width() == 28) {
                a.apply(img, new SplittableRandom(seed), out, 0);
                for (int i = 0; i < img.length; i++) assertEquals((img[i] / 255f - 0.5f) / 0.25f, out[i], 1e-5, "pixel " + i);
                return;
            }
        }
        throw new AssertionError("no full-image crop found");
    }

    @Test
    void flipRateIsAboutHalfAndFlipMirrors() {
        ViewAugmenter a = new ViewAugmenter(only(0, 0, 0, 0, 0.5, 1.0), new double[] {0}, new double[] {1}, 1, 8, 8);
        float[] img = new float[64];
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img[y * 8 + x] = x < 4 ? 0 : 255;
        int flipped = 0, n = 4000;
        float[] out = new float[64];
        for (int i = 0; i < n; i++) {
            a.apply(img, new SplittableRandom(i), out, 0);
            if (out[0] > out[7]) flipped++;
        }
        assertEquals(0.5, (double) flipped / n, 0.03);
    }

    @Test
    void solarizeInvertsValuesFromThreshold() {
        ViewAugmenter a = new ViewAugmenter(only(0, 0, 0, 1.0, 0, 1.0), new double[] {0}, new double[] {1}, 1, 4, 4);
        float[] img = {0, 50, 127, 128, 129, 200, 255, 10, 0, 50, 127, 128, 129, 200, 255, 10};
        float[] out = new float[16];
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom probe = new SplittableRandom(seed);
            ViewAugmenter.Box b = ViewAugmenter.randomResizedCropBox(4, 4, 1.0, 1.0, 0.75, 4.0 / 3, probe);
            if (b.height() == 4 && b.width() == 4) {
                a.apply(img, new SplittableRandom(seed), out, 0);
                float[] expected = new float[16];
                for (int i = 0; i < 16; i++) expected[i] = (img[i] >= 128 ? 255 - img[i] : img[i]) / 255f;
                assertArrayEquals(expected, out, 1e-6f);
                return;
            }
        }
        throw new AssertionError("no full-image crop found");
    }

    @Test
    void grayscaleMakesChannelsEqualAndJitterKeepsRange() {
        ViewAugmenter a = new ViewAugmenter(only(1.0, 1.0, 0, 0, 0, 0.08), new double[] {0, 0, 0},
                new double[] {1, 1, 1}, 3, 16, 16);
        float[] img = ramp(3, 16, 16);
        float[] out = new float[img.length];
        a.apply(img, new SplittableRandom(11), out, 0);
        for (int p = 0; p < 256; p++) {
            assertEquals(out[p], out[256 + p], 1e-6);
            assertEquals(out[p], out[512 + p], 1e-6);
        }
        ViewAugmenter jitterOnly = new ViewAugmenter(only(1.0, 0, 0, 0, 0, 0.08), new double[] {0, 0, 0},
                new double[] {1, 1, 1}, 3, 16, 16);
        for (int s = 0; s < 50; s++) {
            jitterOnly.apply(img, new SplittableRandom(s), out, 0);
            for (float v : out) assertTrue(v >= 0 && v <= 1, "in [0, 1] before normalisation: " + v);
        }
    }

    @Test
    void sameStreamSameView() {
        JobConfig.ViewAugment p = only(0.8, 0.2, 0.5, 0.2, 0.5, 0.08);
        ViewAugmenter a = new ViewAugmenter(p, new double[] {0.4, 0.4, 0.4}, new double[] {0.2, 0.2, 0.2}, 3, 32, 32);
        ViewAugmenter b = new ViewAugmenter(p, new double[] {0.4, 0.4, 0.4}, new double[] {0.2, 0.2, 0.2}, 3, 32, 32);
        float[] img = ramp(3, 32, 32);
        float[] x = new float[img.length], y = new float[img.length], z = new float[img.length];
        a.apply(img, SampleRandom.forSample(5, 1, 3, 12345), x, 0);
        b.apply(img, SampleRandom.forSample(5, 1, 3, 12345), y, 0);
        b.apply(img, SampleRandom.forSample(5, 1, 4, 12345), z, 0);
        assertArrayEquals(x, y);
        assertFalse(Arrays.equals(x, z), "another epoch draws another view");
    }

    @Test
    void bicubicResizeOfConstantImageIsConstant() {
        float[] img = new float[3 * 10 * 10];
        Arrays.fill(img, 77);
        float[] out = new float[3 * 32 * 32];
        Resampler.resize(img, 3, 10, 10, 2, 3, 5, 6, out, 32, 32);
        for (float v : out) assertEquals(77, v, 1e-4);
        float[] big = new float[300 * 200];
        for (int i = 0; i < big.length; i++) big[i] = 200;
        float[] small = new float[20 * 20];
        Resampler.resize(big, 1, 300, 200, 0, 0, 300, 200, small, 20, 20);
        for (float v : small) assertEquals(200, v, 1e-4);
    }
}

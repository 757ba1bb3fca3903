package org.pnrspark.data;

import org.pnrspark.image.DecodedImage;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Decoded images of one split held in memory as bytes (channel-major per image, as CIFAR stores them), with
 * their class labels. Small datasets (Fashion-MNIST, CIFAR-100) are read once per JVM and kept like this.
 */
public final class ImageSet implements ImageSource, Serializable {
    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;

    public ImageSet(String name, byte[] pixels, int[] labels, int channels, int height, int width) {
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes for " + labels.length
                    + " images of " + channels + "x" + height + "x" + width + " (expected " + expected + ")");
        }
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int imageBytes() {
        return channels * height * width;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    /** A copy of all labels. */
    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public DecodedImage read(int i) {
        float[] px = new float[imageBytes()];
        copyImage(i, px, 0);
        return new DecodedImage(px, channels, height, width);
    }

    /** Pixel value (0..255) of image i at (channel, y, x). */
    public int pixel(int i, int c, int y, int x) {
        return pixels[((i * channels + c) * height + y) * width + x] & 0xff;
    }

    /** Copies image i as values 0..255 into dst (channel-major), starting at dst[offset]. */
    public void copyImage(int i, float[] dst, int offset) {
        int n = imageBytes();
        int base = i * n;
        for (int k = 0; k < n; k++) {
            dst[offset + k] = pixels[base + k] & 0xff;
        }
    }

    /** The first {@code perClass} images of every class, in file order (all of them if perClass is 0). */
    public ImageSet firstPerClass(int perClass, int numClasses) {
        if (perClass <= 0) return this;
        int[] taken = new int[numClasses];
        int[] keep = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (taken[labels[i]]++ < perClass) keep[n++] = i;
        }
        return subset(Arrays.copyOf(keep, n), name + " (first " + perClass + " per class)");
    }

    /** The images at the given indices, in that order. */
    public ImageSet subset(int[] indices, String subsetName) {
        int n = imageBytes();
        byte[] px = new byte[indices.length * n];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * n, px, k * n, n);
            lb[k] = labels[indices[k]];
        }
        return new ImageSet(subsetName, px, lb, channels, height, width);
    }
}

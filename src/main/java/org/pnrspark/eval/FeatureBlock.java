package org.pnrspark.eval;

import java.io.Serializable;

/**
 * The features of consecutive images of a split, as an executor sends them to the driver: images start, start + 1,
 * ..., their labels, and their features row after row in float32. A plain class rather than a record, so that Kryo
 * can fill its fields.
 */
public final class FeatureBlock implements Serializable {
    private final int start;
    private final int[] labels;
    private final float[] features;

    public FeatureBlock(int start, int[] labels, float[] features) {
        if (labels.length == 0 || features.length % labels.length != 0) {
            throw new IllegalArgumentException(features.length + " feature values for " + labels.length + " images");
        }
        this.start = start;
        this.labels = labels;
        this.features = features;
    }

    public int start() {
        return start;
    }

    public int count() {
        return labels.length;
    }

    public int dim() {
        return features.length / labels.length;
    }

    public int[] labels() {
        return labels;
    }

    public float[] features() {
        return features;
    }
}

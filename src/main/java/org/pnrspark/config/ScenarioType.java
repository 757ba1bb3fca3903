package org.pnrspark.config;

/** How a dataset is cut into tasks ({@code scenario.type}, docs/reference.md §1.2). */
public enum ScenarioType implements Named {
    /** T tasks of equal slices of the class order. */
    CLASS_INCREMENTAL,
    /** The training images in T random parts, every class in each. */
    DATA_INCREMENTAL,
    /** One task per domain (DomainNet), every class in each. */
    DOMAIN_INCREMENTAL,
    /** One task per pixel shuffle: the images in T random parts, part t's pixels shuffled by order t (t ≥ 1). */
    PERMUTED_PIXELS;

    /** Whether the images of task t ≥ 1 are seen with their pixels shuffled ({@code data.PermutedPixelsScenario}). */
    public boolean shufflesPixels() {
        return this == PERMUTED_PIXELS;
    }
}

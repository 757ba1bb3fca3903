package org.pnrspark.config;

/** How a dataset is cut into tasks ({@code scenario.type}, docs/reference.md §1.2). */
public enum ScenarioType implements Named {
    /** T tasks of equal slices of the class order. */
    CLASS_INCREMENTAL,
    /** The training images in T random parts, every class in each. */
    DATA_INCREMENTAL,
    /** One task per domain (DomainNet), every class in each. */
    DOMAIN_INCREMENTAL;
}

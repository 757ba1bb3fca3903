package org.pnrspark.config;

/** How a dataset is cut into tasks ({@code scenario.type}, docs/reference.md §1.2). */
public enum ScenarioType implements Named {
    /** T tasks of equal slices of the class order. */
    CLASS_INCREMENTAL("class-incremental"),
    /** The training images in T random parts, every class in each. */
    DATA_INCREMENTAL("data-incremental"),
    /** One task per domain (DomainNet), every class in each. */
    DOMAIN_INCREMENTAL("domain-incremental");

    private final String configName;

    ScenarioType(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}

package org.pnrspark.config;

/**
 * Which images a batch norm of the online network (and of the momentum target, and of a frozen model run with batch
 * statistics) normalises together in training mode (docs/reference.md §2).
 */
public enum BatchNormViews implements Named {
    /** Each view's minibatch on its own, as the reference runs one forward pass per view: its default. */
    SEPARATE("separate", 2),
    /** Both views' 2N images together, in the one forward pass pnr-spark makes (what it did before 2026-12-04). */
    JOINT("joint", 1);

    private final String configName;
    private final int groups;

    BatchNormViews(String configName, int groups) {
        this.configName = configName;
        this.groups = groups;
    }

    @Override
    public String configName() {
        return configName;
    }

    /** Statistic groups per batch norm: the interleaved views of a minibatch normalised apart (2) or together (1). */
    public int groups() {
        return groups;
    }
}

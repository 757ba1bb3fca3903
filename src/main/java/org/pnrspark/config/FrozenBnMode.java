package org.pnrspark.config;

/** Batch-norm mode of the frozen previous model when it produces targets (docs/reference.md §1.4, §11.7). */
public enum FrozenBnMode implements Named {
    /** Running statistics throughout: what PNR intends, and what its ImageNet and DomainNet runs do. */
    EVAL,
    /** Batch statistics throughout: CaSSLe, which never calls eval() on its frozen copy. */
    TRAIN,
    /** Eval during the first epoch of each task, then train: what the PNR code does on CIFAR. */
    FIRST_EPOCH_EVAL;

    /** Whether the frozen model uses batch statistics during the given epoch (0-based) of a task. */
    public boolean batchStatistics(int epoch) {
        return switch (this) {
            case EVAL -> false;
            case TRAIN -> true;
            case FIRST_EPOCH_EVAL -> epoch > 0;
        };
    }
}

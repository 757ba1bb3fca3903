package org.pnrspark.config;

/** The optimisers ({@code optim.optimizer}, docs/reference.md §7). */
public enum OptimizerKind implements Named {
    /** Heavy-ball momentum SGD with coupled weight decay (torch's {@code weight_decay}). */
    SGD,
    /** The reference's LARS around momentum SGD, weight decay inside. */
    LARS;
}

package org.pnrspark.config;

/** How the linear probe is fitted after every task ({@code eval.linear_probe.protocol}, docs/reference.md §8.2). */
public enum ProbeProtocol implements Named {
    /** Multinomial logistic regression with L-BFGS on standardised features (Spark MLlib's objective). */
    FAST,
    /** The reference's schedule: mini-batch SGD on softmax cross-entropy ({@code eval.linear_probe.offline.*}). */
    OFFLINE;
}

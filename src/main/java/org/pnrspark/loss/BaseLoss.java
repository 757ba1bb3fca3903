package org.pnrspark.loss;

import java.util.List;

/** The bookkeeping every loss shares: its golden-file name and which inputs are trainable or constant. */
abstract class BaseLoss implements SslLoss {
    private final String name;
    private final List<String> trainable;
    private final List<String> constant;

    BaseLoss(String name, List<String> trainable, List<String> constant) {
        this.name = name;
        this.trainable = List.copyOf(trainable);
        this.constant = List.copyOf(constant);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> trainableInputs() {
        return trainable;
    }

    @Override
    public final List<String> constantInputs() {
        return constant;
    }
}

package org.pnrspark.report;

import java.util.Map;

/**
 * One point of a task's training curve: the epoch's mean loss, its learning rate, throughput and duration, and
 * the weighted terms of the objective on a fixed minibatch after the epoch (by term name; they sum to the loss on
 * that minibatch).
 */
public record EpochFigures(int epoch, double loss, double lr, double imagesPerSecond, double seconds,
        Map<String, Double> terms) {}

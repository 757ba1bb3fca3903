package org.pnrspark.report;

/** One point of a task's training curve: the epoch's mean loss, its learning rate, throughput and duration. */
public record EpochFigures(int epoch, double loss, double lr, double imagesPerSecond, double seconds) {}

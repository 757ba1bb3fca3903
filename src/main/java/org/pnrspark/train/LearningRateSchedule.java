package org.pnrspark.train;

import org.pnrspark.config.JobConfig;

/**
 * Linear warm-up then cosine annealing, stepped once per epoch and restarted every task, as the reference's
 * LinearWarmupCosineAnnealingLR (PNR_SPEC §7); the base rate is scaled by the global batch / 256.
 */
public final class LearningRateSchedule {
    private LearningRateSchedule() {}

    public static double scaledBaseLr(JobConfig.Optim optim, int globalBatch) {
        return optim.lr() * globalBatch / 256.0;
    }

    /** The rate of the given epoch (0-based) of a task. */
    public static double at(int epoch, double baseLr, JobConfig.Optim optim) {
        int warmup = optim.warmupEpochs();
        if (epoch < warmup) {
            return optim.warmupStartLr() + epoch * (baseLr - optim.warmupStartLr()) / Math.max(1, warmup - 1);
        }
        int span = optim.epochs() - warmup;
        if (span <= 0) return baseLr;
        return optim.minLr() + 0.5 * (baseLr - optim.minLr()) * (1 + Math.cos(Math.PI * (epoch - warmup) / span));
    }
}

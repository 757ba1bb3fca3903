package org.pnrspark.train;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.pnrspark.config.JobConfig;
import org.pnrspark.model.NetworkBlocks;

/**
 * Linear warm-up then cosine annealing, stepped once per epoch and restarted every task, as the reference's
 * LinearWarmupCosineAnnealingLR (docs/reference.md §7); the base rate is scaled by the global batch / 256. The distill
 * predictor is a parameter group of its own whose base rate may differ (BYOL's predictive distillers: lr / λ when
 * λ &lt; 1); like every group it follows the schedule from its own base rate.
 */
public final class LearningRateSchedule {
    private LearningRateSchedule() {}

    public static double scaledBaseLr(JobConfig.Optim optim, int globalBatch) {
        return optim.lr() * globalBatch / 256.0;
    }

    /**
     * Sets the rates of an epoch on the network: every layer at the schedule of {@code baseLr}, the distill
     * predictor's layers at the schedule of {@code baseLr · distillScale}. Returns the main rate.
     */
    public static double apply(ComputationGraph net, int epoch, double baseLr, JobConfig.Optim optim,
            double distillScale) {
        double lr = at(epoch, baseLr, optim);
        double distillLr = at(epoch, baseLr * distillScale, optim);
        // in place on each layer's optimiser configuration, which the updater blocks read at every step and which
        // travels to the workers with the network's configuration. (DL4J's per-layer setLearningRate rebuilds the
        // updater state and fails on networks with batch norm.)
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer conf) {
                double rate = conf.getLayerName().startsWith(NetworkBlocks.DISTILL_PREFIX) ? distillLr : lr;
                for (IUpdater u : new IUpdater[] {conf.getIUpdater(), conf.getBiasUpdater()}) {
                    if (u != null && u.hasLearningRate()) u.setLrAndSchedule(rate, null);
                }
            }
        }
        return lr;
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

package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.model.MomentumSgd;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

/**
 * The distill predictor g of CaSSLe and PNR (docs/reference.md §4, §5): an MLP from the projections to their width,
 * its hidden width the method's distill_proj_hidden_dim, trained with the network, in a learning-rate group of
 * its own for BYOL's predictive distillers with distill_lamb &lt; 1 (lr / distill_lamb, §5.3).
 */
final class DistillPredictor {
    private DistillPredictor() {}

    /** Adds g on {@code projector}; with {@code normalize}, p = norm(g(z)) (PNR for MoCo v2+); returns p. */
    static String add(GraphBuilder g, String projector, MethodObjective method, Regularizers reg, boolean normalize) {
        double scale = method.distillers().predictorLrScale();
        JobConfig.Optim optim = method.config().optim();
        MomentumSgd updater = scale == 1.0 ? null : new MomentumSgd(optim.lr() * scale, optim.momentum());
        String p = NetworkBlocks.distillPredictor(g, projector, method.embeddingDim(),
                method.distillers().predictorHiddenDim(), reg,
                updater);
        return normalize ? NetworkBlocks.l2Normalize(g, NetworkBlocks.DISTILL_PREFIX + "norm", p) : p;
    }
}

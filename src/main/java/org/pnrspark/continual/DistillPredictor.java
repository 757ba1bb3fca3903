package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.config.MethodKind;
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
        double scale = lrScale(method);
        JobConfig.Optim optim = method.config().optim();
        MomentumSgd updater = scale == 1.0 ? null : new MomentumSgd(optim.lr() * scale, optim.momentum());
        String p = NetworkBlocks.distillPredictor(g, projector, method.embeddingDim(), hiddenDim(method), reg,
                updater);
        return normalize ? NetworkBlocks.l2Normalize(g, NetworkBlocks.DISTILL_PREFIX + "norm", p) : p;
    }

    static double lrScale(MethodObjective method) {
        if (method.kind() != MethodKind.BYOL) return 1.0;
        double lamb = method.config().byol().distillLamb();
        return lamb < 1 ? 1 / lamb : 1.0;
    }

    private static int hiddenDim(MethodObjective method) {
        JobConfig c = method.config();
        return switch (method.kind()) {
            case SIMCLR -> c.simclr().distillProjHiddenDim();
            case MOCOV2PLUS -> c.moco().distillProjHiddenDim();
            case BYOL -> c.byol().distillProjHiddenDim();
            case BARLOW -> c.barlow().distillProjHiddenDim();
            case VICREG -> c.vicreg().distillProjHiddenDim();
        };
    }
}

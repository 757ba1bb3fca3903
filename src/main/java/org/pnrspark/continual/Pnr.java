package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.util.List;

/**
 * Pseudo-Negative Regularization (docs/reference.md §5): the frozen previous model's outputs serve as negatives as
 * well as targets, through each method's PNR variant, which the method declares
 * ({@link MethodObjective.Distillers#pnr()}):
 * <ul>
 * <li>SimCLR: the SimCLR-PNR loss at distill_temperature replaces NT-Xent (the reference's --pnr_loss, §5.1);</li>
 * <li>MoCo v2+: the MoCo-PNR loss replaces MoCo's, with p = norm(g(q)) and a second queue of the frozen model's
 *     keys as extra negatives; distill_lamb is not used, as in the reference (§5.2);</li>
 * <li>BYOL, Barlow Twins, VICReg: the method's loss plus the PNR terms (frozen output of the same view a positive,
 *     of the other view a negative, weighted distill_lamb and negative_lamb; §5.3–§5.5).</li>
 * </ul>
 */
public record Pnr() implements ContinualStrategy {
    public static final String NAME = "pnr";

    @Override
    public String configName() {
        return NAME;
    }

    @Override
    public String addDistillHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg) {
        return DistillPredictor.add(g, projector, method, reg, method.distillers().pnrWithQueues());
    }

    @Override
    public double distillHeadLrScale(MethodObjective method) {
        return method.distillers().predictorLrScale();
    }

    @Override
    public boolean queuesFrozenKeys(MethodObjective method, int task) {
        return method.distillers().pnrWithQueues() && usesFrozenModel(task);
    }

    @Override
    public List<LossTerm> terms(MethodObjective method, int task) {
        return method.distillers().pnr();
    }
}

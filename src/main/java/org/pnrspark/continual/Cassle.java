package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.util.List;

/**
 * CaSSLe (docs/reference.md §4): the method's own loss plus distill_lamb × a distillation of p = g(z) towards the
 * frozen previous model's f, with the distiller of the method's family: contrastive (SimCLR, MoCo v2+, at
 * distill_temperature), predictive (BYOL), decorrelative (Barlow Twins) or predictive MSE (VICReg), as each
 * method declares it ({@link MethodObjective.Distillers#cassle()}).
 */
public record Cassle() implements ContinualStrategy {
    public static final String NAME = "cassle";

    @Override
    public String configName() {
        return NAME;
    }

    @Override
    public String addDistillHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg) {
        return DistillPredictor.add(g, projector, method, reg, false);
    }

    @Override
    public double distillHeadLrScale(MethodObjective method) {
        return method.distillers().predictorLrScale();
    }

    @Override
    public List<LossTerm> terms(MethodObjective method, int task) {
        return method.ownTermsAnd(method.distillers().cassle());
    }
}

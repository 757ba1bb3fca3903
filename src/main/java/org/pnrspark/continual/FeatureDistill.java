package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.loss.CasslePredictiveLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * Plain feature distillation, in the manner of LwF (not in the reference): the method's own loss plus
 * lamb × ½ Σ_views (2 − 2 cos(z_v, f_v)), which pulls the online projections themselves, with no predictor, towards
 * the frozen previous model's. The same for every method; against CaSSLe it shows what the predictor g adds.
 *
 * @param lamb weight of the distillation (continual.strategies.feature-distill.lamb)
 */
public record FeatureDistill(double lamb) implements ContinualStrategy {
    public static final String NAME = "feature-distill";

    @Override
    public String configName() {
        return NAME;
    }

    /** No head: p is the online projection. */
    @Override
    public String addDistillHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg) {
        return projector;
    }

    @Override
    public List<LossTerm> terms(MethodObjective method, int task) {
        return method.ownTermsAnd(new LossTerm(CasslePredictiveLoss.NAME, lamb, Map.of()));
    }
}

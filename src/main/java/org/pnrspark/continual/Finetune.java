package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.util.List;

/** Fine-tuning: the method alone on every task; the previous model is only where training starts from. */
public record Finetune() implements ContinualStrategy {
    public static final String NAME = "finetune";

    @Override
    public String configName() {
        return NAME;
    }

    @Override
    public boolean usesFrozenModel(int task) {
        return false;
    }

    @Override
    public String addDistillHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg) {
        throw new IllegalStateException("finetune never uses the frozen model");
    }

    @Override
    public List<LossTerm> terms(MethodObjective method, int task) {
        return method.ownTerms();
    }
}

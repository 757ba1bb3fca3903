package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.loss.CassleContrastiveLoss;
import org.pnrspark.loss.CassleDecorrelativeLoss;
import org.pnrspark.loss.CasslePredictiveLoss;
import org.pnrspark.loss.CasslePredictiveMseLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * CaSSLe (docs/reference.md §4): the method's own loss plus distill_lamb × a distillation of p = g(z) towards the
 * frozen previous model's f, with the distiller of the method's family: contrastive (SimCLR, MoCo v2+, at
 * distill_temperature), predictive (BYOL), decorrelative (Barlow Twins) or predictive MSE (VICReg).
 */
public record Cassle() implements ContinualStrategy {
    public static final String NAME = "cassle";

    @Override
    public String configName() {
        return NAME;
    }

    @Override
    public String addHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg) {
        return DistillPredictor.add(g, projector, method, reg, false);
    }

    @Override
    public double headLrScale(MethodObjective method) {
        return DistillPredictor.lrScale(method);
    }

    @Override
    public List<LossTerm> terms(MethodObjective method, int task) {
        return method.ownTermsAnd(distiller(method.config(), method));
    }

    private static LossTerm distiller(JobConfig c, MethodObjective method) {
        return switch (method.kind()) {
            case SIMCLR -> new LossTerm(CassleContrastiveLoss.NAME, c.simclr().distillLamb(),
                    Map.of("temperature", c.simclr().distillTemperature()));
            case MOCOV2PLUS -> new LossTerm(CassleContrastiveLoss.NAME, c.moco().distillLamb(),
                    Map.of("temperature", c.moco().distillTemperature()));
            case BYOL -> new LossTerm(CasslePredictiveLoss.NAME, c.byol().distillLamb(), Map.of());
            case BARLOW -> new LossTerm(CassleDecorrelativeLoss.NAME, c.barlow().distillLamb(),
                    Map.of("lamb", c.barlow().distillBarlowLamb(), "scale_loss", c.barlow().distillScaleLoss()));
            case VICREG -> new LossTerm(CasslePredictiveMseLoss.NAME, c.vicreg().distillLamb(), Map.of());
        };
    }
}

package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.config.MethodKind;
import org.pnrspark.loss.BarlowPnrLoss;
import org.pnrspark.loss.ByolPnrLoss;
import org.pnrspark.loss.MocoPnrLoss;
import org.pnrspark.loss.SimclrPnrLoss;
import org.pnrspark.loss.VicregPnrLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * Pseudo-Negative Regularization (docs/reference.md §5): the frozen previous model's outputs serve as negatives as
 * well as targets, through each method's PNR variant:
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
    public String addHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg) {
        return DistillPredictor.add(g, projector, method, reg, method.kind() == MethodKind.MOCOV2PLUS);
    }

    @Override
    public double headLrScale(MethodObjective method) {
        return DistillPredictor.lrScale(method);
    }

    @Override
    public boolean queuesFrozenKeys(MethodObjective method, int task) {
        return method.kind() == MethodKind.MOCOV2PLUS && usesFrozenModel(task);
    }

    @Override
    public List<LossTerm> terms(MethodObjective method, int task) {
        JobConfig c = method.config();
        return switch (method.kind()) {
            case SIMCLR -> List.of(new LossTerm(SimclrPnrLoss.NAME, 1.0,
                    Map.of("temperature", c.simclr().distillTemperature())));
            case MOCOV2PLUS -> List.of(new LossTerm(MocoPnrLoss.NAME, 1.0,
                    Map.of("temperature", c.moco().temperature(), "distill_temperature", c.moco().distillTemperature()),
                    method.ownTerms().get(0).getInputs()));
            case BYOL -> method.ownTermsAnd(new LossTerm(ByolPnrLoss.NAME, 1.0,
                    Map.of("distill_lamb", c.byol().distillLamb(), "negative_lamb", c.byol().negativeLamb())));
            case BARLOW -> method.ownTermsAnd(new LossTerm(BarlowPnrLoss.NAME, 1.0, Map.of(
                    "lamb", c.barlow().distillBarlowLamb(), "scale_loss", c.barlow().distillScaleLoss(),
                    "distill_lamb", c.barlow().distillLamb(), "negative_lamb", c.barlow().negativeLamb())));
            case VICREG -> method.ownTermsAnd(new LossTerm(VicregPnrLoss.NAME, 1.0,
                    Map.of("distill_lamb", c.vicreg().distillLamb(), "negative_lamb", c.vicreg().negativeLamb())));
        };
    }
}

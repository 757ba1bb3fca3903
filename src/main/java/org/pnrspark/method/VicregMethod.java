package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.continual.MethodObjective;
import org.pnrspark.loss.CasslePredictiveMseLoss;
import org.pnrspark.loss.VicregLoss;
import org.pnrspark.loss.VicregPnrLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * VICReg (docs/reference.md §2, §3.6): the Barlow-style projector; the VICReg loss on z.
 */
public final class VicregMethod extends ProjectionMethod {
    private final JobConfig.Vicreg settings;

    public VicregMethod(JobConfig config) {
        super(config, config.vicreg().projOutputDim());
        this.settings = config.vicreg();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.batchNormProjector(g, h, featureDim, settings.projHiddenDim(), settings.projOutputDim(), reg);
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(VicregLoss.NAME, 1.0, Map.of("sim_weight", settings.simLossWeight(),
                "var_weight", settings.varLossWeight(), "cov_weight", settings.covLossWeight())));
    }

    /** CaSSLe's predictive-MSE distiller; under PNR, the VICReg loss plus the VICReg-PNR terms (§5.5). */
    @Override
    MethodObjective.Distillers distillers() {
        return new MethodObjective.Distillers(settings.distillProjHiddenDim(), 1.0,
                new LossTerm(CasslePredictiveMseLoss.NAME, settings.distillLamb(), Map.of()),
                MethodObjective.and(ownTerms(), new LossTerm(VicregPnrLoss.NAME, 1.0,
                        Map.of("distill_lamb", settings.distillLamb(), "negative_lamb", settings.negativeLamb()))),
                false);
    }
}

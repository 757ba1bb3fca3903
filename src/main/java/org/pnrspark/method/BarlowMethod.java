package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.continual.MethodObjective;
import org.pnrspark.loss.BarlowLoss;
import org.pnrspark.loss.BarlowPnrLoss;
import org.pnrspark.loss.CassleDecorrelativeLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * Barlow Twins (docs/reference.md §2, §3.5): projector features → hidden (BN, ReLU) → hidden (BN, ReLU) → output;
 * the Barlow Twins loss on z.
 */
public final class BarlowMethod extends ProjectionMethod {
    private final JobConfig.Barlow settings;

    public BarlowMethod(JobConfig config) {
        super(config, config.barlow().projOutputDim());
        this.settings = config.barlow();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.batchNormProjector(g, h, featureDim, settings.projHiddenDim(), settings.projOutputDim(), reg);
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(BarlowLoss.NAME, 1.0, Map.of("lamb", settings.lamb(), "scale_loss", settings.scaleLoss())));
    }

    /** CaSSLe's decorrelative distiller; under PNR, the Barlow Twins loss plus the Barlow-PNR terms (§5.4). */
    @Override
    MethodObjective.Distillers distillers() {
        return new MethodObjective.Distillers(settings.distillProjHiddenDim(), 1.0,
                new LossTerm(CassleDecorrelativeLoss.NAME, settings.distillLamb(),
                        Map.of("lamb", settings.distillBarlowLamb(), "scale_loss", settings.distillScaleLoss())),
                MethodObjective.and(ownTerms(), new LossTerm(BarlowPnrLoss.NAME, 1.0, Map.of("lamb", settings.distillBarlowLamb(),
                        "scale_loss", settings.distillScaleLoss(), "distill_lamb", settings.distillLamb(),
                        "negative_lamb", settings.negativeLamb()))),
                false);
    }
}

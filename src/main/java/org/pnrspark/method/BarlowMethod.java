package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.loss.BarlowLoss;
import org.pnrspark.loss.BarlowPnrLoss;
import org.pnrspark.loss.CassleDecorrelativeLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * Barlow Twins (PNR_SPEC §2, §3.5, §4, §5.4): projector features → hidden (BN, ReLU) → hidden (BN, ReLU) →
 * output; the Barlow Twins loss on z. CaSSLe adds distill_lamb · decorrelative distillation; PNR adds the
 * Barlow-PNR terms (decorrelative positive, negative-cosine pseudo-negative).
 */
public final class BarlowMethod extends ProjectionMethod {
    private final JobConfig.Barlow p;

    public BarlowMethod(JobConfig config) {
        super(config, config.barlow().projOutputDim(), config.barlow().distillProjHiddenDim());
        this.p = config.barlow();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.batchNormProjector(g, h, featureDim, p.projHiddenDim(), p.projOutputDim(), reg);
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(BarlowLoss.NAME, 1.0, Map.of("lamb", p.lamb(), "scale_loss", p.scaleLoss())));
    }

    @Override
    List<LossTerm> cassleTerms() {
        return List.of(ownTerms().get(0), new LossTerm(CassleDecorrelativeLoss.NAME, p.distillLamb(),
                Map.of("lamb", p.distillBarlowLamb(), "scale_loss", p.distillScaleLoss())));
    }

    @Override
    List<LossTerm> pnrTerms() {
        return List.of(ownTerms().get(0), new LossTerm(BarlowPnrLoss.NAME, 1.0, Map.of("lamb", p.distillBarlowLamb(),
                "scale_loss", p.distillScaleLoss(), "distill_lamb", p.distillLamb(), "negative_lamb", p.negativeLamb())));
    }
}

package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.loss.BarlowLoss;
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
    private final JobConfig.Barlow p;

    public BarlowMethod(JobConfig config) {
        super(config, config.barlow().projOutputDim());
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
}

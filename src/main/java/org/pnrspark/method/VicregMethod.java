package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.loss.VicregLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * VICReg (docs/reference.md §2, §3.6): the Barlow-style projector; the VICReg loss on z.
 */
public final class VicregMethod extends ProjectionMethod {
    private final JobConfig.Vicreg p;

    public VicregMethod(JobConfig config) {
        super(config, config.vicreg().projOutputDim());
        this.p = config.vicreg();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.batchNormProjector(g, h, featureDim, p.projHiddenDim(), p.projOutputDim(), reg);
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(VicregLoss.NAME, 1.0, Map.of("sim_weight", p.simLossWeight(),
                "var_weight", p.varLossWeight(), "cov_weight", p.covLossWeight())));
    }
}

package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.loss.ByolLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * BYOL (docs/reference.md §2, §3.3, §3.4): projector features → hidden (BN, ReLU) → output, predictor on top
 * (pr = predictor(z)); a momentum target (EMA of the encoder and projector) gives zm. Loss: byol(pr1, zm2) +
 * byol(pr2, zm1), the sum of both directions.
 */
public final class ByolMethod extends ProjectionMethod {
    static final String PREDICTOR_PREFIX = "pred_";
    private final JobConfig.Byol p;

    public ByolMethod(JobConfig config) {
        super(config, config.byol().projOutputDim());
        this.p = config.byol();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.mlp(g, NetworkBlocks.PROJECTOR_PREFIX, h, featureDim, p.projHiddenDim(),
                p.projOutputDim(), reg);
    }

    @Override
    public String addPredictor(GraphBuilder g, String projector, Regularizers reg) {
        return NetworkBlocks.mlp(g, PREDICTOR_PREFIX, projector, p.projOutputDim(), p.predHiddenDim(),
                p.projOutputDim(), reg);
    }

    @Override
    String ownEmbedding() {
        return "pr";
    }

    @Override
    public Optional<MomentumTarget> momentum() {
        return Optional.of(new MomentumTarget(frozen(), p.baseTauMomentum(), p.finalTauMomentum()));
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(ByolLoss.NAME, 1.0, Map.of(), Map.of("p", "pr1", "z", "zm2")),
                new LossTerm(ByolLoss.NAME, 1.0, Map.of(), Map.of("p", "pr2", "z", "zm1")));
    }
}

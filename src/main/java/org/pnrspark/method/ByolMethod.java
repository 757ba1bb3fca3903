package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.continual.MethodObjective;
import org.pnrspark.loss.ByolLoss;
import org.pnrspark.loss.ByolPnrLoss;
import org.pnrspark.loss.CasslePredictiveLoss;
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
    private final JobConfig.Byol settings;

    public ByolMethod(JobConfig config) {
        super(config, config.byol().projOutputDim());
        this.settings = config.byol();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.mlp(g, NetworkBlocks.PROJECTOR_PREFIX, h, featureDim, settings.projHiddenDim(),
                settings.projOutputDim(), reg);
    }

    @Override
    public String addPredictor(GraphBuilder g, String projector, Regularizers reg) {
        return NetworkBlocks.mlp(g, PREDICTOR_PREFIX, projector, settings.projOutputDim(), settings.predHiddenDim(),
                settings.projOutputDim(), reg);
    }

    @Override
    String ownEmbedding() {
        return "pr";
    }

    @Override
    public Optional<MomentumTarget> momentum() {
        return Optional.of(new MomentumTarget(frozen(), settings.baseTauMomentum(), settings.finalTauMomentum()));
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(ByolLoss.NAME, 1.0, Map.of(), Map.of("p", "pr1", "z", "zm2")),
                new LossTerm(ByolLoss.NAME, 1.0, Map.of(), Map.of("p", "pr2", "z", "zm1")));
    }

    /**
     * CaSSLe's predictive distiller, its predictor at lr / distill_lamb when distill_lamb &lt; 1; under PNR, BYOL's
     * loss plus the BYOL-PNR terms (§5.3).
     */
    @Override
    MethodObjective.Distillers distillers() {
        double lamb = settings.distillLamb();
        return new MethodObjective.Distillers(settings.distillProjHiddenDim(), lamb < 1 ? 1 / lamb : 1.0,
                new LossTerm(CasslePredictiveLoss.NAME, lamb, Map.of()),
                MethodObjective.and(ownTerms(), new LossTerm(ByolPnrLoss.NAME, 1.0,
                        Map.of("distill_lamb", lamb, "negative_lamb", settings.negativeLamb()))),
                false);
    }
}

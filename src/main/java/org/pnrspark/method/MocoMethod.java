package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.continual.MethodObjective;
import org.pnrspark.loss.CassleContrastiveLoss;
import org.pnrspark.loss.MocoLoss;
import org.pnrspark.loss.MocoPnrLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MoCo v2+ (docs/reference.md §2, §3.2, §3.4): q = norm(projector(h)) with SimCLR's projector; a momentum target
 * (EMA of the encoder and projector, τ 0.99 → 0.999) gives the keys k = norm(...); a queue of past keys per view
 * supplies the negatives. A continual strategy may add a second queue, of the frozen previous model's keys (PNR).
 */
public final class MocoMethod extends ProjectionMethod {
    private static final Map<String, String> KEYS = Map.of("k1", "zm1", "k2", "zm2");
    private final JobConfig.Moco settings;

    public MocoMethod(JobConfig config) {
        super(config, config.moco().projOutputDim());
        this.settings = config.moco();
    }

    /** The projector's output is normalised, so q, the frozen model's f and the keys all are (and g reads q). */
    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        String z = NetworkBlocks.simclrProjector(g, h, featureDim, settings.projHiddenDim(), settings.projOutputDim(), reg);
        return NetworkBlocks.l2Normalize(g, NetworkBlocks.PROJECTOR_PREFIX + "norm", z);
    }

    @Override
    String ownEmbedding() {
        return "q";
    }

    @Override
    public Optional<MomentumTarget> momentum() {
        return Optional.of(new MomentumTarget(frozen(), settings.baseTauMomentum(), settings.finalTauMomentum()));
    }

    @Override
    public Optional<QueueSpec> queues(int task) {
        return Optional.of(new QueueSpec(settings.projOutputDim(), settings.queueSize(),
                strategy().queuesFrozenKeys(objective(), task)));
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(MocoLoss.NAME, 1.0, Map.of("temperature", settings.temperature()), KEYS));
    }

    /**
     * CaSSLe's contrastive distiller; under PNR, the MoCo-PNR loss replaces MoCo's, with p = norm(g(q)) and a second
     * queue of the frozen model's keys; distill_lamb is not used by it, as in the reference (§5.2).
     */
    @Override
    MethodObjective.Distillers distillers() {
        return new MethodObjective.Distillers(settings.distillProjHiddenDim(), 1.0,
                new LossTerm(CassleContrastiveLoss.NAME, settings.distillLamb(),
                        Map.of("temperature", settings.distillTemperature())),
                List.of(new LossTerm(MocoPnrLoss.NAME, 1.0, Map.of("temperature", settings.temperature(),
                        "distill_temperature", settings.distillTemperature()), KEYS)),
                true);
    }
}

package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.continual.MethodObjective;
import org.pnrspark.loss.CassleContrastiveLoss;
import org.pnrspark.loss.NtXentLoss;
import org.pnrspark.loss.SimclrPnrLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * SimCLR (docs/reference.md §3.1): projector features → hidden (ReLU) → output; NT-Xent on z. Its block also holds
 * the settings of its distillation under CaSSLe and PNR (distill_temperature, distill_lamb, distill_proj_hidden_dim).
 */
public final class SimclrMethod extends ProjectionMethod {
    private final JobConfig.Simclr settings;

    public SimclrMethod(JobConfig config) {
        super(config, config.simclr().projOutputDim());
        this.settings = config.simclr();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.simclrProjector(g, h, featureDim, settings.projHiddenDim(), settings.projOutputDim(), reg);
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(NtXentLoss.NAME, 1.0, Map.of("temperature", settings.temperature())));
    }

    /** CaSSLe's contrastive distiller; under PNR, the SimCLR-PNR loss replaces NT-Xent (§5.1). */
    @Override
    MethodObjective.Distillers distillers() {
        return new MethodObjective.Distillers(settings.distillProjHiddenDim(), 1.0,
                new LossTerm(CassleContrastiveLoss.NAME, settings.distillLamb(),
                        Map.of("temperature", settings.distillTemperature())),
                List.of(new LossTerm(SimclrPnrLoss.NAME, 1.0, Map.of("temperature", settings.distillTemperature()))),
                false);
    }
}

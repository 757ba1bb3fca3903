package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.config.JobConfig;
import org.pnrspark.loss.CassleContrastiveLoss;
import org.pnrspark.loss.NtXentLoss;
import org.pnrspark.loss.SimclrPnrLoss;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Regularizers;

import java.util.List;
import java.util.Map;

/**
 * SimCLR (PNR_SPEC §3.1, §4, §5.1): projector features → hidden (ReLU) → output; NT-Xent on z.
 * CaSSLe adds distill_lamb · contrastive distillation between p = g(z) and f; PNR replaces NT-Xent by the
 * SimCLR-PNR loss at distill_temperature (the reference's --pnr_loss).
 */
public final class SimclrMethod extends ProjectionMethod {
    private final JobConfig.Simclr p;

    public SimclrMethod(JobConfig config) {
        super(config, config.simclr().projOutputDim(), config.simclr().distillProjHiddenDim());
        this.p = config.simclr();
    }

    @Override
    public String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg) {
        return NetworkBlocks.simclrProjector(g, h, featureDim, p.projHiddenDim(), p.projOutputDim(), reg);
    }

    @Override
    List<LossTerm> ownTerms() {
        return List.of(new LossTerm(NtXentLoss.NAME, 1.0, Map.of("temperature", p.temperature())));
    }

    @Override
    List<LossTerm> cassleTerms() {
        return List.of(ownTerms().get(0), new LossTerm(CassleContrastiveLoss.NAME, p.distillLamb(),
                Map.of("temperature", p.distillTemperature())));
    }

    @Override
    List<LossTerm> pnrTerms() {
        return List.of(new LossTerm(SimclrPnrLoss.NAME, 1.0, Map.of("temperature", p.distillTemperature())));
    }
}

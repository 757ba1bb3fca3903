package org.pnrspark.train;

import org.junit.jupiter.api.Test;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pl_bolts' LinearWarmupCosineAnnealingLR stepped per epoch, as the reference uses it. */
class LearningRateScheduleTest {
    @Test
    void warmupThenCosine() {
        JobConfig.Optim o = ConfigLoader.load(List.of(), List.of("optim.epochs=20", "optim.warmup_epochs=10",
                "optim.warmup_start_lr=0.003", "optim.min_lr=0")).optim();
        double base = LearningRateSchedule.scaledBaseLr(o, 512);
        assertEquals(2 * o.lr(), base, 1e-12);
        assertEquals(0.003, LearningRateSchedule.at(0, base, o), 1e-12);
        assertEquals(0.003 + 5 * (base - 0.003) / 9, LearningRateSchedule.at(5, base, o), 1e-12);
        assertEquals(base, LearningRateSchedule.at(9, base, o), 1e-12);
        assertEquals(base, LearningRateSchedule.at(10, base, o), 1e-12);
        assertEquals(0.5 * base * (1 + Math.cos(Math.PI * 5 / 10)), LearningRateSchedule.at(15, base, o), 1e-12);
        assertEquals(0.5 * base * (1 + Math.cos(Math.PI * 9 / 10)), LearningRateSchedule.at(19, base, o), 1e-12);
    }

    /** BYOL's distill predictor is its own parameter group: base lr / distill_lamb when distill_lamb < 1. */
    @Test
    void distillPredictorHasItsOwnGroup() {
        JobConfig c = ConfigLoader.load(List.of(), List.of("method.name=byol", "continual.strategy=pnr",
                "byol.distill_lamb=0.5", "byol.proj_hidden_dim=16", "byol.proj_output_dim=8", "byol.pred_hidden_dim=16",
                "byol.distill_proj_hidden_dim=16", "optim.epochs=4", "optim.warmup_epochs=2"));
        var method = org.pnrspark.method.Methods.of(c);
        assertEquals(2.0, method.distillHeadLrScale());
        var net = org.pnrspark.model.Networks.build(method.online(1));
        double base = 0.4;
        for (int epoch = 0; epoch < 4; epoch++) {
            double lr = LearningRateSchedule.apply(net, epoch, base, c.optim(), method.distillHeadLrScale());
            assertEquals(LearningRateSchedule.at(epoch, base, c.optim()), lr, 1e-12);
            assertEquals(lr, net.getLearningRate("proj_fc1"), 1e-9);
            assertEquals(lr, net.getLearningRate("enc_conv1"), 1e-9);
            double distill = LearningRateSchedule.at(epoch, 2 * base, c.optim());
            assertEquals(distill, net.getLearningRate("distill_fc1"), 1e-9);
            assertEquals(distill, net.getLearningRate("distill_fc2"), 1e-9);
        }
        // g's parameters sit in updater blocks of their own, whose step reads g's rate
        for (var block : net.getUpdater().getUpdaterBlocks()) {
            long distillParams = block.getLayersAndVariablesInBlock().stream()
                    .filter(p -> p.getLayer().getConfig().getLayerName().startsWith("distill_")).count();
            assertTrue(distillParams == 0 || distillParams == block.getLayersAndVariablesInBlock().size(),
                    "a block mixes g with other layers");
        }
        var unscaled = ConfigLoader.load(List.of(), List.of("method.name=byol", "byol.distill_lamb=1"));
        assertEquals(1.0, org.pnrspark.method.Methods.of(unscaled).distillHeadLrScale());
    }
}

package org.pnrspark.train;

import org.junit.jupiter.api.Test;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}

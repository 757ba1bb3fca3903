package org.pnrspark.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunDirectoryTest {
    @Test
    void differencesNameTheKeysThatChangeResultsAndIgnoreWhereAndHowItRuns() {
        String stored = "optim { lr = 0.3, epochs = 5 }\noutput { dir = \"a\", overwrite = false }\n"
                + "spark { master = \"local[2]\", workers = 2 }\nfault.nan_input.task = -1\ncheckpoint.every_epochs = 1\n"
                + "augment.crop_min_scale = [0.2, 0.2]";
        String current = "optim { lr = 0.5, epochs = 5 }\noutput { dir = \"b\", overwrite = true }\n"
                + "spark { master = \"yarn\", workers = 2 }\nfault.nan_input.task = 0\ncheckpoint.every_epochs = 5\n"
                + "augment.crop_min_scale = [0.2, 0.3]\nmethod.name = simclr";
        assertEquals(List.of("augment.crop_min_scale: [0.2, 0.2] → [0.2, 0.3]", "method.name: (unset) → simclr",
                "optim.lr: 0.3 → 0.5"), RunDirectory.differences(stored, current));
        assertEquals(List.of(), RunDirectory.differences(stored, stored));
    }
}

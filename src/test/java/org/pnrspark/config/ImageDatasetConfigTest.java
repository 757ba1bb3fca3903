package org.pnrspark.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keys of image datasets and scenarios, their validation, and the three paper benchmarks' settings. */
class ImageDatasetConfigTest {
    private static JobConfig conf(String file, String... sets) {
        return ConfigLoader.load(List.of(ConfigLoader.readLocalFile(file)), List.of(sets));
    }

    private static void rejects(String key, String expectedPart, String... sets) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(List.of(), List.of(sets)));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(expectedPart), e.getMessage());
    }

    @Test
    void theThreeBenchmarksCarryTheReferenceSettings() {
        JobConfig in = conf("conf/imagenet100-class.conf");
        assertEquals(DatasetKind.IMAGENET100, in.data().dataset());
        assertEquals(224, in.data().height());
        assertEquals(256, in.data().images().evalResize());
        assertEquals(DatasetKind.CIFAR100_SEED5_ORDER, in.scenario().classOrder(), "the seed-5 order of the reference");
        assertEquals(400, in.optim().epochs());
        assertEquals(0.4, in.optim().lr());
        assertEquals(256, in.spark().workers() * in.spark().batchSizePerWorker());
        assertEquals(1.0, in.augment().view1().blurProb());
        assertEquals(0.1, in.augment().view2().blurProb());
        assertEquals(0.2, in.augment().view2().solarizeProb());
        assertEquals(8192, in.byol().predHiddenDim());
        assertEquals(23.0, in.vicreg().negativeLamb());

        JobConfig data = conf("conf/imagenet100-data.conf");
        assertEquals(ScenarioType.DATA_INCREMENTAL, data.scenario().type());
        assertEquals(42, data.scenario().splitSeed());
        assertEquals(0.1, data.byol().negativeLamb());
        assertEquals(0.1, data.barlow().negativeLamb());
        assertEquals(5.0, data.vicreg().negativeLamb());

        JobConfig dn = conf("conf/domainnet.conf");
        assertEquals(DatasetKind.DOMAINNET, dn.data().dataset());
        assertEquals(345, dn.data().numClasses());
        assertEquals(6, dn.scenario().tasks());
        assertEquals(List.of("real", "quickdraw", "painting", "sketch", "infograph", "clipart"), dn.scenario().domains());
        assertEquals(200, dn.optim().epochs());
        assertEquals(8.0, dn.vicreg().negativeLamb());
    }

    @Test
    void badScenarioAndImageKeysAreNamed() {
        rejects("scenario.type", "domain-incremental needs data.dataset = domainnet", "data.dataset=cifar100",
                "scenario.type=domain-incremental", "scenario.tasks=6");
        rejects("scenario.tasks", "one task per domain", "data.dataset=domainnet", "scenario.type=domain-incremental",
                "scenario.tasks=5");
        rejects("data.num_classes", "number of class folders", "data.dataset=image-folder");
        rejects("data.eval_resize", "at least data.image_size", "data.dataset=imagenet100", "data.eval_resize=200");
        rejects("data.bad_images", "fail, skip", "data.bad_images=ignore");
        rejects("scenario.tasks", "divides the 100 classes", "data.dataset=imagenet100", "scenario.tasks=7");
        rejects("scenario.domains", "distinct domain names", "scenario.domains=[real,real]");
        rejects("scenario.class_order", "0..3", "data.dataset=image-folder", "data.num_classes=4", "scenario.tasks=2",
                "scenario.class_order=[0,1,2,4]");
        // data-incremental: any number of tasks
        assertEquals(7, ConfigLoader.load(List.of(), List.of("data.dataset=imagenet100",
                "scenario.type=data-incremental", "scenario.tasks=7")).scenario().tasks());
        // a seeded class order: a permutation, reproducible, different for another seed
        List<Integer> seeded = ConfigLoader.load(List.of(), List.of("data.dataset=image-folder", "data.num_classes=10",
                "scenario.class_order_seed=3")).scenario().classOrder();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seeded.stream().sorted().toList());
        assertTrue(!seeded.equals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), seeded.toString());
        assertEquals(seeded, ConfigLoader.load(List.of(), List.of("data.dataset=image-folder", "data.num_classes=10",
                "scenario.class_order_seed=3")).scenario().classOrder());
        assertTrue(!seeded.equals(ConfigLoader.load(List.of(), List.of("data.dataset=image-folder",
                "data.num_classes=10", "scenario.class_order_seed=4")).scenario().classOrder()));
        rejects("scenario.class_order_seed", "-1 when scenario.class_order", "scenario.class_order=[1,0,2,3,4,5,6,7,8,9]",
                "scenario.class_order_seed=1");
        // fewer classes than the dataset's: the identity order
        assertEquals(List.of(0, 1, 2, 3), ConfigLoader.load(List.of(), List.of("data.dataset=imagenet100",
                "data.num_classes=4", "scenario.tasks=2")).scenario().classOrder());
    }
}

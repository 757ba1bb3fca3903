package org.pnrspark.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pnrspark.method.Methods;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every benchmark file in conf/ loads, validates, and builds its networks under every strategy. */
class BenchmarkConfsTest {
    static Stream<Path> confs() throws IOException {
        return Files.list(Path.of("conf")).filter(p -> p.toString().endsWith(".conf")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("confs")
    void loadsAndBuilds(Path conf) {
        String file = conf.getFileName().toString();
        for (String strategy : List.of("finetune", "cassle", "pnr")) {
            JobConfig c = ConfigLoader.load(List.of(ConfigLoader.readLocalFile(conf.toString())),
                    List.of("continual.strategy=" + strategy));
            if (file.matches("(fmnist|cifar100)-5t-[a-z0-9]+\\.conf")) {
                String method = file.substring(file.lastIndexOf('-') + 1, file.length() - ".conf".length());
                assertEquals(method, c.method().name(), file);
            }
            assertTrue(Methods.of(c).online(1).getVertices().containsKey("loss"), file);
        }
    }

    @org.junit.jupiter.api.Test
    void cifarFilesCarryTheReferenceSetting() {
        JobConfig c = ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/cifar100-5t-byol.conf")), List.of());
        assertEquals(EncoderKind.RESNET18_CIFAR, c.model().encoder());
        assertEquals(500, c.optim().epochs());
        assertEquals(256, c.spark().workers() * c.spark().batchSizePerWorker());
        assertEquals(1.0, c.optim().lr());
        assertEquals(0.5, c.byol().negativeLamb());
        assertEquals(FrozenBnMode.FIRST_EPOCH_EVAL, c.continual().frozenBnMode());
        assertEquals(List.of(11, 22, 39, 23, 42, 30, 78, 81, 64, 20, 29, 79, 15, 69, 86, 63, 55, 53, 73, 68),
                c.scenario().classesOfTask(0));
    }

    @org.junit.jupiter.api.Test
    void theOneWorkerVariantTrainsTheReferencesBatchInOneReplica() {
        for (String method : List.of("simclr", "mocov2plus", "byol", "barlow", "vicreg")) {
            JobConfig two = ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/cifar100-5t-" + method + ".conf")),
                    List.of());
            JobConfig one = ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/cifar100-5t-" + method + ".conf"),
                    ConfigLoader.readLocalFile("conf/cifar100-one-worker.conf")), List.of());
            assertEquals(2, two.spark().workers(), method);
            assertEquals(1, one.spark().workers(), method);
            assertEquals(256, one.spark().batchSizePerWorker(), method);
            assertEquals(two.optim().lr(), one.optim().lr(), method);
            assertEquals(method, one.method().name());
        }
    }
}

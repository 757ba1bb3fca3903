package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training makes the features better than the random initialisation they start from, for every method: each
 * method's own {@code conf/fmnist-5t-<method>.conf} (its optimiser, learning rate, momentum target and heads) on
 * real images (the first 300 training and 100 test images per class of the bundled Fashion-MNIST sample, one task
 * of all ten classes, five epochs, MoCo v2+ ten as its configuration), through the real training path (Spark
 * local[2], parameter averaging), evaluated by the linear probe and k-NN of every run.
 *
 * <p>Each margin is about half of what the method gained in the measured run with this seed, which is
 * deterministic (2026-12-05, each view's batch statistics apart with the float32 kernels; random init 76.1 % linear,
 * 73.2 % k-NN; gains in points, linear / k-NN: SimCLR +4.5 / +3.6, MoCo v2+ +1.2 / +1.2, BYOL +2.9 / -2.4,
 * Barlow Twins +5.6 / +0.3, VICReg +4.9 / +4.2). MoCo v2+ gains little, in PyTorch too: at five epochs it gained
 * +1.1 / +0.8 with the earlier batch-norm kernels and -0.7 / +1.2 with these, so it trains ten. BYOL's
 * k-NN falls at this budget, in PyTorch too (docs/results.md): its margin only bounds the fall, at about half of
 * what the CIFAR settings lost. With the loss layer's gradient cut (the loss multiplied by 0), every method fails
 * its margins (docs/results.md, "Learning tests").
 */
class LearningTest {

    @ParameterizedTest(name = "{0}, {1} epochs: linear probe gains {2} or more, k-NN {3} or more")
    @CsvSource({
            "simclr,      5, 0.022,  0.018",
            "mocov2plus, 10, 0.006,  0.006",
            "byol,        5, 0.014, -0.050",
            "barlow,      5, 0.028,  0.001",
            "vicreg,      5, 0.024,  0.021",
    })
    void beatsRandomInitialisationByAClearMargin(String method, int epochs, double linearMargin, double knnMargin,
                                                 @TempDir Path dir) throws IOException {
        EndToEndTest.run("train", "--conf", "conf/fmnist-5t-" + method + ".conf",
                "--set", "data.root=sample", "--set", "data.max_train_per_class=300",
                "--set", "data.max_test_per_class=100", "--set", "scenario.tasks=1",
                "--set", "optim.epochs=" + epochs, "--set", "spark.batch_size_per_worker=64",
                "--set", "output.dir=" + dir);
        JsonNode results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        JsonNode random = results.get("random_init");
        JsonNode trained = results.get("tasks").get(0);
        double linear = trained.get("accuracy_all").asDouble() - random.get("accuracy_all").asDouble();
        double knn = trained.get("knn_accuracy_all").asDouble() - random.get("knn_accuracy_all").asDouble();
        String figures = String.format("%s: linear probe %.3f -> %.3f, k-NN %.3f -> %.3f", method,
                random.get("accuracy_all").asDouble(), trained.get("accuracy_all").asDouble(),
                random.get("knn_accuracy_all").asDouble(), trained.get("knn_accuracy_all").asDouble());
        System.out.println("LearningTest " + figures);
        assertTrue(linear >= linearMargin, "the linear probe gains " + linear + " < " + linearMargin + ": " + figures);
        assertTrue(knn >= knnMargin, "k-NN gains " + knn + " < " + knnMargin + ": " + figures);
    }

    /**
     * A distilling strategy keeps what the first task taught: after a second task, the first task's classes are not
     * recognised much worse than right after the first task. SimCLR ({@code conf/fmnist-5t.conf}), two tasks of five
     * classes (300 training and 100 test images per class, three epochs each); the accuracy matrix's cell (task 1,
     * task 0) against (task 0, task 0), on the linear probe. Measured with this seed: 74.8 % after task 0, 79.4 %
     * (CaSSLe) and 76.0 % (PNR) after task 1. This catches a strategy that destroys the earlier features, not a
     * distiller without effect: on this small stage fine-tuning does not forget either (docs/results.md).
     */
    @ParameterizedTest(name = "{0}: task 0's classes drop at most {1}")
    @CsvSource({"cassle, 0.02", "pnr, 0.02"})
    void aSecondTaskKeepsTheFirstTasksClasses(String strategy, double margin, @TempDir Path dir) throws IOException {
        EndToEndTest.run("train", "--conf", "conf/fmnist-5t.conf",
                "--set", "data.root=sample", "--set", "data.max_train_per_class=300",
                "--set", "data.max_test_per_class=100", "--set", "scenario.tasks=2",
                "--set", "optim.epochs=3", "--set", "spark.batch_size_per_worker=64",
                "--set", "continual.strategy=" + strategy, "--set", "eval.random_init_baseline=false",
                "--set", "output.dir=" + dir);
        JsonNode matrix = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("accuracy_matrix");
        double before = matrix.get(0).get(0).asDouble(), after = matrix.get(1).get(0).asDouble();
        String figures = String.format("%s: task 0's classes %.3f after task 0, %.3f after task 1", strategy, before,
                after);
        System.out.println("LearningTest " + figures);
        assertTrue(after >= before - margin, figures);
    }

    /**
     * Distillation keeps the features of the images the frozen model was trained on closer to that model's: after a
     * second task, the CKA distance of task 0's test images' features from the frozen model's is well below
     * fine-tuning's under CaSSLe and under PNR. SimCLR ({@code conf/fmnist-5t.conf}), data-incremental in two tasks
     * (300 training and 100 test images per class, five epochs each), the three strategies in one run from the same
     * task 0. The split is data-incremental so that both tasks' images come from one distribution: the batch norms'
     * running statistics then hardly move, and the drift is what training did to the weights, the part the
     * distillation terms reach (on class-incremental stages of this size the statistics' part hides the ordering).
     * Measured over seeds 1 to 6 (docs/results.md, "Feature drift"): CaSSLe's drift was 0.38 to 0.76 of
     * fine-tuning's, PNR's 0.26 to 0.51 (this seed: 0.45 and 0.26); with the distillation terms cut, each was
     * fine-tuning's, to the bit, and failed these bounds.
     */
    @Test
    void distillationKeepsTheFirstTasksFeaturesCloser(@TempDir Path dir) throws IOException {
        EndToEndTest.run("train", "--conf", "conf/fmnist-5t.conf", "--strategies", "finetune,cassle,pnr",
                "--set", "data.root=sample", "--set", "data.max_train_per_class=300",
                "--set", "data.max_test_per_class=100", "--set", "scenario.type=data-incremental",
                "--set", "scenario.tasks=2", "--set", "optim.epochs=5", "--set", "spark.batch_size_per_worker=64",
                "--set", "eval.random_init_baseline=false", "--set", "output.dir=" + dir);
        double finetune = ckaDriftAfterTask1(dir.resolve("finetune"));
        for (var bound : java.util.Map.of("cassle", 0.9, "pnr", 0.75).entrySet()) {
            double drift = ckaDriftAfterTask1(dir.resolve(bound.getKey()));
            String figures = String.format("CKA distance of task 0's test images from the frozen model after task 1: "
                    + "finetune %.4f, %s %.4f (ratio %.2f, at most %.2f)", finetune, bound.getKey(), drift,
                    drift / finetune, bound.getValue());
            System.out.println("LearningTest " + figures);
            assertTrue(drift <= bound.getValue() * finetune, figures);
        }
    }

    /**
     * PNR keeps more of the first domain than fine-tuning on a short version of the stage on which fine-tuning forgets
     * ({@code conf/fmnist-drift.conf} on the bundled sample: 300 training and 100 test images per class, so 1,500 and
     * 500 a domain, ten epochs per domain): after the shuffled domain, the first domain's linear-probe accuracy under
     * PNR is at least 1 point above fine-tuning's. Measured (docs/results.md, "Looking for a stage"): 3.8 points above
     * with this seed, 2.6 with seed 1; with PNR's terms cut, fine-tuning's to the bit. CaSSLe's gain on this short
     * stage is too small to test (0.4 and 1.0 points, 2 and 5 of the 500 images); the drift test above tests its
     * terms.
     */
    @Test
    void pnrKeepsMoreOfTheFirstDomainThanFineTuning(@TempDir Path dir) throws IOException {
        EndToEndTest.run("train", "--conf", "conf/fmnist-drift.conf", "--strategies", "finetune,pnr",
                "--set", "data.root=sample", "--set", "data.max_train_per_class=300",
                "--set", "data.max_test_per_class=100", "--set", "optim.epochs=10",
                "--set", "eval.random_init_baseline=false", "--set", "output.dir=" + dir);
        ObjectMapper json = new ObjectMapper();
        JsonNode finetune = json.readTree(dir.resolve("finetune/results.json").toFile()).get("accuracy_matrix");
        JsonNode pnr = json.readTree(dir.resolve("pnr/results.json").toFile()).get("accuracy_matrix");
        String figures = String.format("the first domain after task 0 %.3f, after the shuffled one: finetune %.3f, "
                + "pnr %.3f", finetune.get(0).get(0).asDouble(), finetune.get(1).get(0).asDouble(),
                pnr.get(1).get(0).asDouble());
        System.out.println("LearningTest " + figures);
        assertTrue(pnr.get(1).get(0).asDouble() >= finetune.get(1).get(0).asDouble() + 0.01, figures);
    }

    private static double ckaDriftAfterTask1(Path run) throws IOException {
        JsonNode drift = new ObjectMapper().readTree(run.resolve("results.json").toFile()).get("tasks").get(1)
                .get("feature_drift");
        return drift.get("cka").get(0).asDouble();
    }
}

package org.pnrspark.parity;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.pnrspark.testutil.Cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pnrspark.testutil.Cli.parity;

/**
 * Every network against PyTorch (torchvision's ResNet-18, the small CNN and the heads as the reference defines them):
 * outputs in both modes, running statistics and gradients, from {@code src/test/python/network_parity.py}'s vectors;
 * and whole training steps of task 1 (SimCLR under finetune, CaSSLe and PNR) against the PyTorch peer's.
 */
class NetworkParityTest {
    private static final String RESOURCE = "/golden/networks-reference.json";
    private static NetworkVectors.File vectors;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = NetworkParityTest.class.getResourceAsStream(RESOURCE)) {
            vectors = NetworkVectors.read(RESOURCE, in);
        }
    }

    private static Path copy(Path dir) throws IOException {
        Path file = dir.resolve("networks-reference.json");
        try (InputStream in = NetworkParityTest.class.getResourceAsStream(RESOURCE)) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void theVectorsCoverEveryEncoderAndHead() {
        List<String> names = vectors.cases().stream().map(NetworkVectors.NetworkCase::name).toList();
        assertEquals(List.of("small-cnn-1x28x28", "small-cnn-3x32x32", "resnet18-cifar-3x32x32",
                "resnet18-imagenet-3x64x64", "simclr-projector", "mocov2plus-projector", "byol-projector",
                "byol-predictor", "barlow-projector", "vicreg-projector", "simclr-distill-predictor",
                "mocov2plus-pnr-distill-predictor", "simclr-finetune-task1", "simclr-cassle-task1",
                "simclr-pnr-task1"), names);
    }

    @Test
    void everyNetworkEqualsPyTorchsInFloat64(@TempDir Path dir) throws IOException {
        Cli.Outcome o = parity("--networks", copy(dir).toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertEquals(1 + 15 + 1, o.out().lines().count(), "header, a line per network, summary: " + o.out());
        assertTrue(o.out().contains("15 networks (float64): 15 passed, 0 failed (tolerance 1.0e-06"), o.out());
    }

    /**
     * In float32 the kernels that train (oneDNN's) run. The small CNN and the heads agree to float32's precision;
     * the ResNets are left out: in float32 a pre-activation within rounding of zero can flip a ReLU and move the
     * gradients of the layers below it by about 1e-3 (docs/checks.md, "Checking the networks against the reference").
     */
    @Test
    void theSmallCnnAndTheHeadsAgreeInFloat32WithTheTrainingKernels() {
        for (NetworkVectors.NetworkCase c : vectors.cases()) {
            if (c.name().startsWith("resnet18")) continue;
            NetworkParity.Outcome o = NetworkParity.check(c, vectors.dotWeights(), DataType.FLOAT);
            if (!c.isOnline()) {
                assertTrue(o.passes(1e-3), c.name() + ": " + o.problem().orElse(o.worst() + " " + o.worstError()));
                continue;
            }
            // in a training objective, the gradient of g's first bias (zero up to rounding: batch norm follows it)
            // carries float32's rounding of the loss, about 1e-3 of the largest gradient; the rest agree to 2e-5
            assertTrue(o.problem().isEmpty(), c.name() + ": " + o.problem().orElse(""));
            o.arrayErrors().forEach((what, err) -> assertTrue(
                    err <= (what.equals("gradient of distill_fc1/b") ? 5e-3 : 1e-4), c.name() + ": " + what + " " + err));
        }
    }

    @Test
    void aNetworkThatDiffersFails(@TempDir Path dir) throws IOException {
        String text = Files.readString(copy(dir));
        // the first parameter of the first case (enc_conv1/W of the small CNN) gets another scale
        int at = text.indexOf("\"scale\":", text.indexOf("\"parameters\""));
        int start = at + "\"scale\":".length();
        int end = text.indexOf(',', start);
        double scale = Double.parseDouble(text.substring(start, end));
        Path tampered = dir.resolve("tampered.json");
        Files.writeString(tampered, text.substring(0, start) + (scale * 1.0001) + text.substring(end));
        Cli.Outcome o = parity("--networks", tampered.toString());
        assertEquals(1, o.code(), o.out());
        assertTrue(o.out().contains("15 networks (float64): 14 passed, 1 failed"), o.out());
        assertTrue(o.out().lines().anyMatch(l -> l.startsWith("small-cnn-1x28x28") && l.contains("FAIL")), o.out());
    }

    /**
     * The training objectives are PyTorch's as well as its networks: built from the CaSSLe case's vectors with another
     * strategy, another weight or temperature of the distillation, or both views through the batch norms together,
     * pnr-spark's objective no longer matches; with fine-tuning's, the distill predictor is missing.
     */
    @Test
    void aTrainingObjectiveBuiltOtherwiseFails() {
        NetworkVectors.NetworkCase cassle = vectors.cases().stream()
                .filter(c -> c.name().equals("simclr-cassle-task1")).findFirst().orElseThrow();
        assertTrue(NetworkParity.check(cassle, vectors.dotWeights(), DataType.DOUBLE).passes(1e-6));
        for (String other : List.of("continual.strategy=pnr", "simclr.distill_lamb=1.0",
                "simclr.distill_temperature=0.2", "model.batch_norm_views=joint")) {
            NetworkParity.Outcome o = NetworkParity.check(cassle.withSets(with(cassle.sets(), other)),
                    vectors.dotWeights(), DataType.DOUBLE);
            assertTrue(o.problem().isEmpty(), other + ": " + o.problem().orElse(""));
            assertTrue(o.worstError() > 1e-2, other + ": " + o.worst() + " " + o.worstError());
        }
        NetworkParity.Outcome finetune = NetworkParity.check(
                cassle.withSets(with(cassle.sets(), "continual.strategy=finetune")), vectors.dotWeights(),
                DataType.DOUBLE);
        assertTrue(finetune.problem().orElse("").contains("the labels are [16, 256], task 1's network takes [N, 1]"),
                finetune.problem().orElse(""));
    }

    /** {@code sets} with {@code override}'s key set to its value (added when it is not there). */
    private static List<String> with(List<String> sets, String override) {
        String key = override.substring(0, override.indexOf('=') + 1);
        List<String> out = new java.util.ArrayList<>(sets.stream().filter(s -> !s.startsWith(key)).toList());
        out.add(override);
        return out;
    }

    @Test
    void aLayerMissingFromEitherSideIsNamed(@TempDir Path dir) throws IOException {
        String text = Files.readString(copy(dir));
        // PyTorch's BYOL predictor and projector are the same shape of MLP: call a predictor layer by another name
        Path renamed = dir.resolve("renamed.json");
        Files.writeString(renamed, text.replace("\"layer\":\"pred_fc2\"", "\"layer\":\"pred_fc3\""));
        Cli.Outcome o = parity("--networks", renamed.toString());
        assertEquals(1, o.code(), o.out());
        String line = o.out().lines().filter(l -> l.startsWith("byol-predictor")).findFirst().orElseThrow();
        assertTrue(line.contains("FAIL: the networks differ: only in pnr-spark's [pred_fc2_W, pred_fc2_b], "
                + "only in PyTorch's [pred_fc3_W, pred_fc3_b]"), line);
    }

    @Test
    void badArgumentsAndFilesAreRefusedClearly(@TempDir Path dir) throws IOException {
        Cli.Outcome both = parity("--networks", "a.json", "--vectors", "b.json");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("give one of --vectors"), both.err());
        Cli.Outcome dtype = parity("--networks", "a.json", "--dtype", "float16");
        assertEquals(2, dtype.code());
        assertTrue(dtype.err().contains("--dtype must be float64 or float32, got \"float16\""), dtype.err());
        Path losses = dir.resolve("losses.json");
        Files.writeString(losses, "{\"dtype\": \"float64\", \"cases\": []}");
        Cli.Outcome wrongKind = parity("--networks", losses.toString());
        assertEquals(2, wrongKind.code());
        assertTrue(wrongKind.err().contains("a network parity file; loss vectors go to parity --vectors"),
                wrongKind.err());
        Path truncated = dir.resolve("truncated.json");
        String text = Files.readString(copy(dir));
        Files.writeString(truncated, text.replaceFirst("\"output_weights\"", "\"output_weight\""));
        Cli.Outcome missing = parity("--networks", truncated.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("case 0 (small-cnn-1x28x28): field \"output_weights\": expected a value"),
                missing.err());
        assertFalse(missing.err().contains("Exception"), missing.err());
        Path noLabels = dir.resolve("no-labels.json");
        Files.writeString(noLabels, text.replaceFirst("\"labels\"", "\"label\""));
        Cli.Outcome step = parity("--networks", noLabels.toString());
        assertEquals(2, step.code());
        assertTrue(step.err().contains("case 12 (simclr-finetune-task1): field \"labels\": expected a value"),
                step.err());
        Path badSets = dir.resolve("bad-sets.json");
        Files.writeString(badSets, text.replaceFirst("\"sets\":\\[\"data.dataset=fashion-mnist\"",
                "\"sets\":[\"fashion-mnist\""));
        Cli.Outcome sets = parity("--networks", badSets.toString());
        assertEquals(2, sets.code());
        assertTrue(sets.err().contains("case 12 (simclr-finetune-task1): field \"sets\": expected an array of "
                + "\"key=value\" strings, got the element \"fashion-mnist\""), sets.err());
    }
}

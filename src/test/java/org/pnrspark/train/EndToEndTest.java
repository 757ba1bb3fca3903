package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.method.Methods;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.testutil.Cli;
import org.pnrspark.testutil.ExternalTools;
import org.pnrspark.testutil.RandomInitBaseline;
import org.pnrspark.testutil.SparkTestSession;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job on Spark local[2], as the command line runs it: two tiny tasks of the bundled Fashion-MNIST
 * sample, for the three strategies, with checkpoints, results and the console table checked.
 */
class EndToEndTest {
    /** A small but real run: 2 tasks of 5 classes, 40 images per class, 2 workers x 16 images. */
    static final List<String> TINY = List.of(
            "--set", "data.root=sample", "--set", "data.max_train_per_class=40", "--set", "data.max_test_per_class=40",
            "--set", "scenario.tasks=2", "--set", "optim.epochs=2", "--set", "optim.warmup_epochs=1",
            "--set", "spark.batch_size_per_worker=16", "--set", "spark.averaging_frequency=2",
            "--set", "eval.linear_probe.max_iter=50", "--set", "simclr.proj_hidden_dim=128",
            "--set", "simclr.distill_proj_hidden_dim=128", "--set", "simclr.proj_output_dim=32");

    static String run(String... args) {
        SparkTestSession.get();
        Cli.Outcome o = Cli.run(args);
        System.out.println(o.out());
        assertEquals(0, o.code(), "exit code; stderr: " + o.err());
        return o.out();
    }

    static String[] args(Path outputDir, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--conf", "conf/fmnist-5t.conf"));
        a.addAll(TINY);
        a.addAll(List.of("--set", "output.dir=" + outputDir));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** The three strategies' runs, kept under target/ for the notebook, report and schema checks. */
    static final Path THREE = Path.of("target", "e2e-runs", "three-strategies");
    private static String console;

    @BeforeAll
    static void trainThreeStrategies() throws IOException {
        if (Files.exists(THREE)) {
            try (var files = Files.walk(THREE)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        console = run(args(THREE.toAbsolutePath(), "--strategies", "finetune,cassle,pnr"));
    }

    @Test
    void threeStrategiesTrainCheckpointAndEvaluate() throws IOException {
        Path dir = THREE;
        assertTrue(console.contains("Linear-probe accuracy on all classes (%) after each task"), console);
        assertTrue(console.contains("| average | forget | fwd tr | k-NN |  drift | train img/s | minutes"), console);
        assertTrue(console.lines().anyMatch(l -> l.matches("random initialisation: linear probe \\d+\\.\\d, k-NN "
                + "\\d+\\.\\d on all classes")), "the baseline under the side-by-side table:\n" + console);
        assertTrue(console.contains("kernels: CpuBackend (-onednn-avx2); layer helpers: convolution MKLDNNConvHelper, "
                + "batch norm MKLDNNBatchNormHelper"), "the log names the oneDNN kernels in use:\n" + console);
        for (String strategy : List.of("finetune", "cassle", "pnr")) {
            Path out = dir.resolve(strategy);
            assertTrue(console.lines().anyMatch(l -> l.startsWith(strategy + " ") && l.contains(" | ")),
                    "comparison row for " + strategy);
            assertTrue(console.contains("forgetting"), console);
            for (int t = 0; t < 2; t++) {
                Path model = out.resolve("task-" + t).resolve("model.zip");
                String recorded = Files.readString(out.resolve("task-" + t).resolve("model.zip.sha256")).split(" ")[0];
                assertEquals(sha256(model), recorded, "checksum of " + model);
                ComputationGraph restored = ModelSerializer.restoreComputationGraph(model.toFile(), false);
                assertTrue(restored.outputSingle(false, Nd4j.rand(DataType.FLOAT, 2, 2, 28, 28)).isMatrix());
                assertTrue(Files.isRegularFile(out.resolve("task-" + t).resolve("config.conf")));
            }
            JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            assertEquals(2, results.get("schema_version").asInt());
            assertEquals(strategy, results.get("run").get("strategy").asText());
            assertEquals(2, results.get("tasks").size());
            assertEquals(2, results.get("accuracy_matrix").size());
            assertEquals(2, results.get("knn_accuracy_matrix").size());
            assertTrue(results.get("random_init").get("accuracy_all").asDouble() > 0.1, "random init probe");
            for (String metric : List.of("final_accuracy", "average_accuracy", "forgetting", "forward_transfer")) {
                assertTrue(results.get("metrics").get(metric).isNumber(), metric);
            }
            assertEquals(results.get("tasks").get(1).get("accuracy_all").asDouble(),
                    results.get("metrics").get("final_accuracy").asDouble());
            assertTrue(Files.readString(out.resolve("curves.csv")).startsWith("task,epoch,loss,lr,images_per_second"));
            assertEquals(5, Files.readAllLines(out.resolve("curves.csv")).size(), "header + 2 tasks x 2 epochs");
            // the terms of the objective on the fixed minibatch, named as the loss layer names them
            JsonNode terms = results.get("tasks").get(1).get("curve").get(1).get("loss_terms");
            String expectedTerm = switch (strategy) {
                case "finetune" -> "nt_xent";
                case "cassle" -> "cassle_contrastive";
                default -> "simclr_pnr";
            };
            assertTrue(terms.has(expectedTerm) && terms.get(expectedTerm).isNumber(), terms.toString());
            assertEquals(strategy.equals("cassle") ? 2 : 1, terms.size(), terms.toString());
            assertTrue(Files.readString(out.resolve("loss_terms.csv")).contains("1,1," + expectedTerm + ","));
            RandomInitBaseline.assertNotBelow(results, strategy);
            for (JsonNode task : results.get("tasks")) {
                assertTrue(Double.isFinite(task.get("final_loss").asDouble()));
                assertTrue(task.get("images_per_second").asDouble() > 0);
            }
            // every evaluation's time and its parts: features, probe, k-NN
            List<JsonNode> evaluations = new java.util.ArrayList<>(List.of(results.get("random_init")));
            results.get("tasks").forEach(evaluations::add);
            for (JsonNode e : evaluations) {
                double parts = 0;
                for (String part : List.of("features_seconds", "probe_seconds", "knn_seconds", "drift_seconds")) {
                    assertTrue(e.get(part).isNumber() && e.get(part).asDouble() >= 0, part + " in " + e);
                    parts += e.get(part).asDouble();
                }
                assertEquals(e.get("eval_seconds").asDouble(), parts, 1e-9, e.toString());
            }
            // the drift of the features from the previous model: measured after task 1 only
            assertTrue(results.get("random_init").get("feature_drift").isNull());
            assertTrue(results.get("tasks").get(0).get("feature_drift").isNull());
            JsonNode drift = results.get("tasks").get(1).get("feature_drift");
            assertEquals(2, drift.get("cosine").size(), drift.toString());
            for (String measure : List.of("cosine", "cka")) {
                double previous = drift.get(measure).get(0).asDouble();
                assertTrue(previous > 0 && previous < 1, measure + " of task 0's images: " + drift);
            }
            assertTrue(console.contains("feature drift of the previous task's test images from the previous model "
                    + "(cosine / CKA distance): task 1 "), console);
            assertTimeSplit(results, strategy);
            String objective1 = results.get("tasks").get(1).get("objective").asText();
            assertTrue(objective1.contains(switch (strategy) {
                case "finetune" -> "nt_xent";
                case "cassle" -> "cassle_contrastive";
                default -> "simclr_pnr";
            }), objective1);
            List<String> csv = Files.readAllLines(out.resolve("accuracy.csv"));
            assertEquals("after_task,task_0,task_1,all", csv.get(0));
            assertEquals(3, csv.size());
            // the effective configuration next to the results loads again and names the strategy
            String effective = Files.readString(out.resolve("config.conf"));
            var reloaded = ConfigLoader.load(List.of(new ConfigLoader.Source("config.conf", effective)), List.of());
            assertEquals(strategy, reloaded.continual().strategy().configName());
        }
    }

    /**
     * time_split adds up what this run did: all of finetune's, only task 1 of the others (their task 0 and random-init
     * evaluation are finetune's, whose time is not in their total_seconds); other is the rest of total_seconds.
     */
    private static void assertTimeSplit(JsonNode results, String strategy) {
        boolean ownTask0 = strategy.equals("finetune");
        double train = 0, evaluate = ownTask0 ? results.get("random_init").get("eval_seconds").asDouble() : 0;
        double checkpoint = 0;
        for (JsonNode task : results.get("tasks")) {
            assertTrue(task.get("checkpoint_seconds").asDouble() > 0, "checkpoint_seconds of " + task);
            if (task.get("task").asInt() == 0 && !ownTask0) continue;
            train += task.get("train_seconds").asDouble();
            evaluate += task.get("eval_seconds").asDouble();
            checkpoint += task.get("checkpoint_seconds").asDouble();
        }
        JsonNode split = results.get("time_split");
        double total = results.get("total_seconds").asDouble();
        assertEquals(train, split.get("train").asDouble(), 1e-9 * total, strategy + " train: " + split);
        assertEquals(evaluate, split.get("evaluate").asDouble(), 1e-9 * total, strategy + " evaluate: " + split);
        assertEquals(checkpoint, split.get("checkpoint").asDouble(), 1e-9 * total, strategy + " checkpoint: " + split);
        assertTrue(split.get("other").asDouble() >= 0, strategy + " other: " + split);
        assertEquals(total, train + evaluate + checkpoint + split.get("other").asDouble(), 1e-6 * total,
                strategy + ": the parts are measured within total_seconds " + total + ": " + split);
    }

    /** The time line after each run's accuracy matrix and under the side-by-side table, in percents of 100. */
    @Test
    void theConsoleSaysWhereEachRunsTimeWent() {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("(?:\\w+ +)?time: \\S+ = "
                + "train \\S+ \\((\\d+) %\\) · evaluate \\S+ \\((\\d+) %\\) · "
                + "checkpoint \\S+ \\((\\d+) %\\) · other \\S+ \\((\\d+) %\\); "
                + "training [\\d,]+ img/s over the tasks");
        List<java.util.regex.Matcher> lines = console.lines().map(line::matcher)
                .filter(java.util.regex.Matcher::matches).toList();
        assertEquals(6, lines.size(), "one after each run, one per run under the table:\n" + console);
        for (java.util.regex.Matcher m : lines) {
            int sum = 0;
            for (int g = 1; g <= 4; g++) sum += Integer.parseInt(m.group(g));
            assertEquals(100, sum, 1, m.group());
        }
        for (String strategy : List.of("finetune", "cassle", "pnr")) {
            assertTrue(console.lines().anyMatch(l -> l.matches(strategy + " +time: .*")), strategy + ":\n" + console);
        }
    }

    /**
     * Task 0 trains the method's own objective under every strategy: the first run trains it, the others start from
     * its checkpoint, row and random-init evaluation (and have all of them in their own directories).
     */
    @Test
    void taskZeroIsTrainedOnceAndShared() throws IOException {
        assertEquals(2, console.lines().filter(l -> l.contains("are reused, not retrained")).count(), console);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(THREE.resolve("finetune/results.json").toFile());
        ComputationGraph trained = ModelSerializer.restoreComputationGraph(
                THREE.resolve("finetune/task-0/model.zip").toFile(), true);
        for (String strategy : List.of("cassle", "pnr")) {
            JsonNode results = json.readTree(THREE.resolve(strategy + "/results.json").toFile());
            assertEquals(first.get("random_init"), results.get("random_init"));
            assertEquals(first.get("tasks").get(0).get("accuracy"), results.get("tasks").get(0).get("accuracy"));
            assertEquals(first.get("tasks").get(0).get("curve"), results.get("tasks").get(0).get("curve"));
            Path model = THREE.resolve(strategy + "/task-0/model.zip");
            String checkpoint = results.get("tasks").get(0).get("checkpoint").asText();
            assertTrue(checkpoint.endsWith("/" + strategy + "/task-0/model.zip"), "this run's own copy: " + checkpoint);
            ComputationGraph shared = ModelSerializer.restoreComputationGraph(model.toFile(), true);
            assertEquals(trained.params(), shared.params(), strategy);
            assertEquals(trained.getUpdater().getStateViewArray(), shared.getUpdater().getStateViewArray(), strategy);
        }
    }

    /**
     * The frozen model of task 1 is task 0's final encoder and projector: the parameters it trained with (recorded
     * as frozen_model_sha256) are those of task 0's checkpoint, not those of task 1's, and a network built from them
     * gives task 0's projections.
     */
    @Test
    void theFrozenTeacherIsThePreviousTasksEncoderAndProjector() throws IOException {
        for (String strategy : List.of("finetune", "cassle", "pnr")) {
            Path out = THREE.resolve(strategy);
            JsonNode tasks = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("tasks");
            assertTrue(tasks.get(0).get("frozen_model_sha256").isNull(), "task 0 has no frozen model");
            if (strategy.equals("finetune")) {
                assertTrue(tasks.get(1).get("frozen_model_sha256").isNull(), "finetune has no frozen model");
                continue;
            }
            var config = ConfigLoader.load(List.of(new ConfigLoader.Source("config.conf",
                    Files.readString(out.resolve("config.conf")))), List.of());
            var method = Methods.of(config);
            ComputationGraph task0 = ModelSerializer.restoreComputationGraph(out.resolve("task-0/model.zip").toFile(), false);
            ComputationGraph task1 = ModelSerializer.restoreComputationGraph(out.resolve("task-1/model.zip").toFile(), false);
            ComputationGraph fromTask0 = Networks.build(method.frozen());
            List<String> copied = Networks.copyParameters(task0, fromTask0);
            assertEquals(Arrays.stream(fromTask0.getLayers()).filter(l -> l.numParams() > 0).count(),
                    copied.size(), "task 0's checkpoint has every encoder and projector layer: " + copied);
            ComputationGraph fromTask1 = Networks.build(method.frozen());
            Networks.copyParameters(task1, fromTask1);
            String recorded = tasks.get(1).get("frozen_model_sha256").asText();
            assertEquals(ModelSnapshot.parametersSha256(fromTask0.params()), recorded, strategy);
            assertFalse(recorded.equals(ModelSnapshot.parametersSha256(fromTask1.params())),
                    "task 1 trained: its own encoder is not the teacher");
            INDArray views = Nd4j.rand(DataType.FLOAT, 4, 2, 28, 28);
            INDArray z0 = task0.feedForward(views, false).get("z");
            assertEquals(z0, fromTask0.outputSingle(false, views), "the teacher's projections are task 0's");
        }
    }

    @Test
    void resultsMatchTheirSchema() throws Exception {
        String python = ExternalTools.require("/usr/bin/python3", "python3-jsonschema");
        for (String strategy : List.of("finetune", "cassle", "pnr")) {
            Path results = THREE.resolve(strategy).resolve("results.json").toAbsolutePath();
            ExternalTools.Result r = ExternalTools.run(List.of(python, "-c", String.join("\n",
                    "import json, sys, jsonschema",
                    "schema = json.load(open(sys.argv[1]))",
                    "jsonschema.Draft202012Validator.check_schema(schema)",
                    "v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())",
                    "errors = [e.message for e in v.iter_errors(json.load(open(sys.argv[2])))]",
                    "print('\\n'.join(errors)); sys.exit(1 if errors else 0)"),
                    Path.of("src/main/resources/results.schema.json").toAbsolutePath().toString(), results.toString()),
                    java.util.Map.of(), Path.of("."), 120);
            assertEquals(0, r.exitCode(), results + " does not match the schema:\n" + r.stdout() + r.stderr());
        }
    }

    @Test
    void reportAndComparisonRenderInChromium(@TempDir Path tmp) throws Exception {
        String chromium = ExternalTools.require("/usr/bin/chromium", "chromium");
        for (Path page : List.of(THREE.resolve("pnr/report.html"), THREE.resolve("compare.html"))) {
            List<String> base = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + tmp.resolve("profile"), "--enable-logging=stderr", "--v=0");
            List<String> dump = new java.util.ArrayList<>(base);
            dump.addAll(List.of("--dump-dom", page.toAbsolutePath().toUri().toString()));
            ExternalTools.Result dom = ExternalTools.run(dump, java.util.Map.of(), tmp, 120);
            assertEquals(0, dom.exitCode(), dom.stderr());
            long svgs = dom.stdout().split("<svg", -1).length - 1L;
            assertTrue(svgs >= (page.endsWith("report.html") ? 7 : 2), page + ": " + svgs + " charts");
            assertTrue(dom.stdout().contains("<path"), page + " draws lines");
            assertFalse(dom.stderr().contains("CONSOLE"), "console messages:\n" + dom.stderr());
            Path png = tmp.resolve(page.getFileName() + ".png");
            List<String> shot = new java.util.ArrayList<>(base);
            shot.addAll(List.of("--window-size=1200,1800", "--screenshot=" + png, page.toAbsolutePath().toUri().toString()));
            ExternalTools.Result r = ExternalTools.run(shot, java.util.Map.of(), tmp, 120);
            assertEquals(0, r.exitCode(), r.stderr());
            var image = javax.imageio.ImageIO.read(png.toFile());
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            long ink = 0;
            for (int y = 0; y < image.getHeight(); y += 2) {
                for (int x = 0; x < image.getWidth(); x += 2) {
                    int rgb = image.getRGB(x, y) & 0xFFFFFF;
                    colours.add(rgb);
                    if (rgb != 0xFFFFFF) ink++;
                }
            }
            assertTrue(colours.size() > 30 && ink > image.getWidth() * image.getHeight() / 4 / 50,
                    page + " looks blank: " + colours.size() + " colours, " + ink + " inked samples");
        }
    }

    @Test
    void notebookRunsOnTheResults(@TempDir Path tmp) throws Exception {
        String nbconvert = ExternalTools.require("/usr/bin/jupyter-nbconvert", "jupyter-nbconvert python3-pandas "
                + "python3-matplotlib python3-ipykernel");
        Path executed = tmp.resolve("executed.ipynb");
        ExternalTools.Result r = ExternalTools.run(List.of(nbconvert, "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=300", "--output", executed.toString(),
                Path.of("notebooks/pnr-results.ipynb").toAbsolutePath().toString()),
                java.util.Map.of("PNR_RUNS", THREE.toAbsolutePath().toString()), tmp, 600);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        String notebook = Files.readString(executed);
        assertTrue(notebook.contains("simclr · pnr") && notebook.contains("simclr · cassle"), "the three runs are loaded");
        assertTrue(notebook.split("image/png", -1).length - 1 >= 4, "the notebook draws its figures");
        assertFalse(notebook.contains("\"output_type\": \"error\""), "a cell failed");
    }

    @Test
    void compareCommandPutsRunsSideBySide(@TempDir Path tmp) throws IOException {
        Path html = tmp.resolve("cmp.html");
        String out = run("compare", THREE.resolve("finetune").toString(), THREE.resolve("cassle").toString(),
                THREE.resolve("pnr/results.json").toString(), "--out", html.toString());
        for (String s : List.of("simclr · finetune", "simclr · cassle", "simclr · pnr", "forget", "|  drift |",
                "random initialisation: linear probe ")) {
            assertTrue(out.contains(s), s + " in\n" + out);
        }
        assertTrue(Files.readString(html).contains("<svg"));
        Cli.Outcome empty = Cli.run("compare", tmp.toString());
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("no results here"), empty.err());
    }

    @Test
    void sameSeedSameResults(@TempDir Path dir) throws IOException {
        run(args(dir.resolve("a"), "--set", "optim.epochs=1", "--set", "scenario.tasks=2"));
        run(args(dir.resolve("b"), "--set", "optim.epochs=1", "--set", "scenario.tasks=2"));
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(dir.resolve("a/results.json").toFile());
        JsonNode b = json.readTree(dir.resolve("b/results.json").toFile());
        assertEquals(a.get("accuracy_matrix"), b.get("accuracy_matrix"));
        for (int t = 0; t < 2; t++) {
            assertEquals(a.get("tasks").get(t).get("final_loss"), b.get("tasks").get(t).get("final_loss"));
            ComputationGraph ma = ModelSerializer.restoreComputationGraph(dir.resolve("a/task-" + t + "/model.zip").toFile(), true);
            ComputationGraph mb = ModelSerializer.restoreComputationGraph(dir.resolve("b/task-" + t + "/model.zip").toFile(), true);
            assertEquals(ma.params(), mb.params(), "identical weights after task " + t);
            assertEquals(ma.getUpdater().getStateViewArray(), mb.getUpdater().getStateViewArray(), "identical optimizer state");
        }
    }

    @Test
    void existingResultsAreNotOverwrittenWithoutForce(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("task-0"));
        Cli.Outcome o = Cli.run(args(dir));
        assertEquals(2, o.code());
        assertTrue(o.err().contains("output.dir") && o.err().contains("--force"), o.err());
        assertTrue(new File(dir.toFile(), "task-0").isDirectory());
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

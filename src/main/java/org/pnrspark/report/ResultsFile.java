package org.pnrspark.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.pnrspark.eval.Classifier;
import org.pnrspark.eval.FeatureDrift;
import org.pnrspark.eval.Evaluation;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader of {@code results.json} (schema 2), as {@link ResultsWriter} wrote it: what the HTML report and
 * {@code compare} show, from the files alone, on any machine, for runs finished or still going; and the rows of the
 * finished tasks that a resumed run carries ({@link #finished()}). Only plain JSON values are read; what files
 * written by earlier versions lack (an evaluation's parts, a task's checkpoint time, the time split) comes back as
 * NaN or absent.
 */
public record ResultsFile(JsonNode root) {
    /**
     * The finished part of a run: the random-init evaluation (or null), the rows of the completed tasks, and its wall
     * time with where it went ({@link TimeSplit#NONE} in files written before that was recorded).
     */
    public record Finished(Evaluation randomInit, List<TaskResult> tasks, double seconds, TimeSplit timeSplit,
            int workers) {}

    /** The results.json of the run in {@code outputDir}. */
    public static ResultsFile read(Storage storage, String outputDir) throws IOException {
        String file = Storage.child(outputDir, ResultsWriter.RESULTS_JSON);
        return parse(storage.readString(file), file);
    }

    public static ResultsFile parse(String json, String source) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IOException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.has("schema_version")) {
            throw new IOException(source + " is not a pnr-spark results.json (no schema_version)");
        }
        int version = root.get("schema_version").asInt();
        if (version != ResultsWriter.SCHEMA_VERSION) {
            throw new IOException(source + ": results schema " + version + ", expected " + ResultsWriter.SCHEMA_VERSION
                    + " (written by another version of pnr-spark: read or resume it with that version, or start over)");
        }
        return new ResultsFile(root);
    }

    /** The evaluations, tasks and times as typed records. */
    public Finished finished() {
        Evaluation randomInit = root.path("random_init").isObject() ? evaluation(root.get("random_init")) : null;
        List<TaskResult> tasks = new ArrayList<>();
        for (JsonNode t : root.path("tasks")) {
            List<Integer> classes = new ArrayList<>();
            for (JsonNode c : t.path("classes")) classes.add(c.asInt());
            List<EpochFigures> curve = new ArrayList<>();
            for (JsonNode p : t.path("curve")) curve.add(curvePoint(p));
            tasks.add(new TaskResult(t.path("task").asInt(), List.copyOf(classes), t.path("objective").asText(),
                    t.path("train_images").asInt(), t.path("epochs").asInt(), t.path("steps").asInt(),
                    number(t.path("final_loss")), curve, t.path("train_seconds").asDouble(),
                    t.path("images_per_second").asDouble(), evaluation(t), t.path("checkpoint").asText(),
                    t.path("checkpoint_sha256").asText(), number(t.path("checkpoint_seconds")),
                    t.path("frozen_model_sha256").isTextual() ? t.path("frozen_model_sha256").asText() : null));
        }
        JsonNode split = root.path("time_split");
        TimeSplit timeSplit = !split.isObject() ? TimeSplit.NONE : new TimeSplit(split.path("train").asDouble(),
                split.path("evaluate").asDouble(), split.path("checkpoint").asDouble());
        return new Finished(randomInit, List.copyOf(tasks), root.path("total_seconds").asDouble(0), timeSplit,
                root.path("run").path("workers").asInt());
    }

    /** A curve point as {@link ResultsWriter#curvePoint} wrote it. */
    public static EpochFigures curvePoint(JsonNode p) {
        Map<String, Double> terms = new LinkedHashMap<>();
        p.path("loss_terms").fields().forEachRemaining(e -> terms.put(e.getKey(), number(e.getValue())));
        return new EpochFigures(p.path("epoch").asInt(), number(p.path("loss")), p.path("lr").asDouble(),
                p.path("images_per_second").asDouble(), p.path("seconds").asDouble(), terms);
    }

    private static Evaluation evaluation(JsonNode e) {
        Map<Classifier, Evaluation.Scores> scores = new EnumMap<>(Classifier.class);
        for (Classifier c : Classifier.values()) {
            scores.put(c, new Evaluation.Scores(doubles(e.path(c.accuracyKey())), number(e.path(c.accuracyAllKey())),
                    number(e.path(c.secondsKey()))));
        }
        JsonNode d = e.path(ResultsWriter.FEATURE_DRIFT);
        double seconds = number(e.path("drift_seconds"));
        FeatureDrift drift = !d.isObject()
                ? FeatureDrift.none(scores.get(Classifier.LINEAR).perTask().length).withSeconds(seconds)
                : new FeatureDrift(doubles(d.path("cosine")), number(d.path("cosine_all")), doubles(d.path("cka")),
                        number(d.path("cka_all")), seconds);
        return new Evaluation(scores, e.path("eval_seconds").asDouble(), number(e.path("features_seconds")), drift);
    }

    JsonNode run() {
        return root.get("run");
    }

    String name() {
        return run().get("name").asText();
    }

    String label() {
        return run().get("method").asText() + " · " + run().get("strategy").asText();
    }

    int numTasks() {
        return run().get("num_tasks").asInt();
    }

    int completedTasks() {
        return root.get("tasks").size();
    }

    JsonNode tasks() {
        return root.get("tasks");
    }

    double[][] matrix(String key) {
        JsonNode m = root.get(key);
        if (m == null || m.isNull()) return null;
        double[][] out = new double[m.size()][];
        for (int r = 0; r < m.size(); r++) out[r] = doubles(m.get(r));
        return out;
    }

    /** The randomly initialised encoder's per-task row, or null. */
    double[] randomInit(String key) {
        JsonNode r = root.get("random_init");
        return r == null || r.isNull() ? null : doubles(r.get(key));
    }

    double randomInitAll(String key) {
        JsonNode r = root.get("random_init");
        return r == null || r.isNull() ? Double.NaN : number(r.get(key));
    }

    /** {@link RunResult#meanPreviousTaskDrift} of the completed tasks. */
    double meanPreviousTaskDrift() {
        return TaskResult.meanPreviousTaskDrift(finished().tasks());
    }

    /** Accuracy on all classes after each completed task. */
    double[] allClasses(String key) {
        double[] out = new double[completedTasks()];
        for (int t = 0; t < out.length; t++) out[t] = number(tasks().get(t).get(key));
        return out;
    }

    double metric(String block, String key) {
        JsonNode b = root.get(block);
        return b == null || b.isNull() ? Double.NaN : number(b.get(key));
    }

    /** Curve points of every task in order: [task, epoch, loss, lr, images_per_second]. */
    List<double[]> curve() {
        List<double[]> out = new ArrayList<>();
        for (JsonNode t : tasks()) {
            for (JsonNode p : t.path("curve")) {
                EpochFigures e = curvePoint(p);
                out.add(new double[] {t.path("task").asInt(), e.epoch(), e.loss(), e.lr(), e.imagesPerSecond()});
            }
        }
        return out;
    }

    /** The loss terms of every curve point in order (name → value; empty for files without them). */
    List<Map<String, Double>> curveTerms() {
        List<Map<String, Double>> out = new ArrayList<>();
        for (JsonNode t : tasks()) {
            for (JsonNode p : t.path("curve")) out.add(curvePoint(p).terms());
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(array.get(i));
        return out;
    }

    /** JSON null (or nothing) is an undefined value (NaN). */
    static double number(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? Double.NaN : n.asDouble();
    }
}

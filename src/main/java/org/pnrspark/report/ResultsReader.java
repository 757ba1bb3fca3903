package org.pnrspark.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.pnrspark.eval.Evaluation;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back what {@link ResultsWriter} wrote, so that a resumed run carries the rows of its finished tasks. Only
 * plain JSON values are read; what files written by earlier versions lack (an evaluation's parts, a task's checkpoint
 * time, the time split) comes back as NaN or absent.
 */
public final class ResultsReader {
    /**
     * The finished part of a run: the random-init evaluation (or null), the rows of the completed tasks, and its wall
     * time with where it went ({@link TimeSplit#NONE} in files written before that was recorded).
     */
    public record Finished(Evaluation randomInit, List<TaskResult> tasks, double seconds, TimeSplit timeSplit,
            int workers) {}

    private ResultsReader() {}

    public static Finished read(Storage storage, String outputDir) throws IOException {
        String file = Storage.child(outputDir, ResultsWriter.RESULTS_JSON);
        JsonNode root = new ObjectMapper().readTree(storage.readString(file));
        int version = root.path("schema_version").asInt(-1);
        if (version != ResultsWriter.SCHEMA_VERSION) {
            throw new IOException(file + ": results schema " + version + ", expected " + ResultsWriter.SCHEMA_VERSION
                    + " (written by another version of pnr-spark; resume it with that version or start over)");
        }
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
        return new Evaluation(numbers(e.path("accuracy")), number(e.path("accuracy_all")),
                numbers(e.path("knn_accuracy")), number(e.path("knn_accuracy_all")), e.path("eval_seconds").asDouble(),
                number(e.path("features_seconds")), number(e.path("probe_seconds")), number(e.path("knn_seconds")));
    }

    private static double[] numbers(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(array.get(i));
        return out;
    }

    /** JSON null is an undefined value (NaN). */
    private static double number(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? Double.NaN : n.asDouble();
    }
}

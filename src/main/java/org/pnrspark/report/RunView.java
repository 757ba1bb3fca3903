package org.pnrspark.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A run as read back from its {@code results.json} (schema 2): what the HTML report and {@code compare} show, so
 * that both can be made from the files alone, on any machine, for runs finished or still going.
 */
record RunView(JsonNode root) {
    static RunView parse(String json, String source) throws IOException {
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
            throw new IOException(source + " has results schema " + version + "; this version reads schema "
                    + ResultsWriter.SCHEMA_VERSION);
        }
        return new RunView(root);
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
            for (JsonNode p : t.get("curve")) {
                out.add(new double[] {t.get("task").asInt(), p.get("epoch").asInt(), number(p.get("loss")),
                        number(p.get("lr")), number(p.get("images_per_second"))});
            }
        }
        return out;
    }

    /** The loss terms of every curve point in order (name → value; empty for files without them). */
    List<java.util.Map<String, Double>> curveTerms() {
        List<java.util.Map<String, Double>> out = new ArrayList<>();
        for (JsonNode t : tasks()) {
            for (JsonNode p : t.get("curve")) {
                java.util.Map<String, Double> terms = new java.util.LinkedHashMap<>();
                JsonNode node = p.get("loss_terms");
                if (node != null) node.fields().forEachRemaining(e -> terms.put(e.getKey(), number(e.getValue())));
                out.add(terms);
            }
        }
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(array.get(i));
        return out;
    }

    static double number(JsonNode n) {
        return n == null || n.isNull() ? Double.NaN : n.asDouble();
    }
}

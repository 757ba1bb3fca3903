package org.pnrspark.parity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads network parity files ({@code src/test/python/network_parity.py} writes them; the format is in docs/checks.md,
 * "Checking the networks against the reference"). A file that does not follow the format is rejected with the case
 * and the field named.
 */
public final class NetworkVectors {
    static final String FORMAT = "pnr-spark network parity 1";
    static final String ONLINE = "online";

    private NetworkVectors() {}

    /**
     * value[i] = offset + scale · sin(freq · i + chirp · i² + phase), i the flat index in PyTorch's row-major layout.
     * The chirp keeps a weight matrix filled so from having rank 2 (a pure sine's rows are all combinations of two
     * sequences), which would make the networks ill-conditioned.
     */
    public record Rule(double offset, double scale, double freq, double chirp, double phase) {
        public double[] fill(long n) {
            double[] v = new double[Math.toIntExact(n)];
            for (int k = 0; k < v.length; k++) {
                double i = k;
                // the generator's order of operations, so that both compute the same doubles
                v[k] = offset + scale * Math.sin(freq * i + chirp * i * i + phase);
            }
            return v;
        }
    }

    /** An array filled by a rule, in PyTorch's shape. */
    public record Filled(long[] shape, Rule rule) {
        public long length() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    /** One parameter or running statistic: its PyTorch name, pnr-spark's layer and parameter, its values. */
    public record Parameter(String torchName, String layer, String param, Filled values) {
        public String key() {
            return layer + "_" + param;
        }
    }

    /**
     * What PyTorch computed, as digests of arrays: every value of a small array; of a large one the values at listed
     * indices, the sum and the dot product with the file's dot weights. {@code rms} scales the tolerance.
     */
    public record Digest(long[] shape, double rms, double[] values, long[] index, double[] sample, double sum,
            double dot) {
        boolean full() {
            return values != null;
        }
    }

    /**
     * One network: an encoder ({@code encoder} set), a part of a method's heads ({@code method}, {@code part}:
     * projector, predictor or distill_predictor, and the {@code strategy} of the distill predictor), or the
     * {@code online} network a task trains, built from the configuration {@code sets} give, with its loss as the
     * output and the frozen model's projections as the {@code labels} ({@code outputEval} and {@code strategy} are
     * then null: the strategy is in the sets).
     */
    public record NetworkCase(String name, String network, String encoder, String method, String part,
            String strategy, int task, List<String> sets, Filled input, Filled labels, Filled outputWeights,
            List<Parameter> parameters, Digest outputEval, Digest outputTrain, Map<String, Digest> running,
            Digest gradInput, Map<String, Digest> grads) {
        public boolean isOnline() {
            return network.equals(ONLINE);
        }

        /** The same case with other configuration overrides (for a training objective built otherwise). */
        public NetworkCase withSets(List<String> otherSets) {
            return new NetworkCase(name, network, encoder, method, part, strategy, task, otherSets, input, labels,
                    outputWeights, parameters, outputEval, outputTrain, running, gradInput, grads);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The cases of a file, and the weights of its dot-product digests. */
    public record File(List<NetworkCase> cases, Rule dotWeights) {}

    public static File read(String file, InputStream in) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (JsonProcessingException e) {
            throw new GoldenVectors.MalformedException(file + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new GoldenVectors.MalformedException(file + ": expected a JSON object with \"format\": \"" + FORMAT
                    + "\" (a network parity file; loss vectors go to parity --vectors)");
        }
        if (!"float64".equals(root.path("dtype").asText())) {
            throw new GoldenVectors.MalformedException(file + ": dtype is \"" + root.path("dtype").asText()
                    + "\", expected \"float64\"");
        }
        Reader r = new Reader(file);
        JsonNode dot = r.field(root, "digest", "(file)").path("dot");
        Rule dotWeights = new Rule(0, 1, r.number(dot, "freq", "digest.dot"), 0, r.number(dot, "phase", "digest.dot"));
        JsonNode cases = r.field(root, "cases", "(file)");
        if (!cases.isArray()) throw new GoldenVectors.MalformedException(file + ": expected an array \"cases\"");
        List<NetworkCase> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : cases) {
            String where = "case " + i++ + " (" + c.path("name").asText("unnamed") + ")";
            out.add(r.networkCase(c, where));
        }
        return new File(out, dotWeights);
    }

    private record Reader(String file) {
        NetworkCase networkCase(JsonNode c, String where) {
            String network = text(c, "network", where);
            if (!List.of("encoder", "head", ONLINE).contains(network)) {
                throw bad(where, "network", "\"encoder\", \"head\" or \"online\", got \"" + network + "\"");
            }
            boolean online = network.equals(ONLINE);
            List<Parameter> parameters = new ArrayList<>();
            for (JsonNode p : field(c, "parameters", where)) {
                parameters.add(new Parameter(text(p, "torch", where), text(p, "layer", where), text(p, "param", where),
                        new Filled(shape(p, where), rule(field(p, "rule", where), where))));
            }
            JsonNode expected = field(c, "expected", where);
            return new NetworkCase(text(c, "name", where), network, c.path("encoder").asText(null),
                    c.path("method").asText(null), c.path("part").asText(null),
                    online ? null : c.path("strategy").asText("pnr"), online ? task(c, where) : 0,
                    online ? sets(c, where) : List.of(),
                    filled(field(c, "input", where), where + " input"),
                    online ? filled(field(c, "labels", where), where + " labels") : null,
                    filled(field(c, "output_weights", where), where + " output_weights"), parameters,
                    online ? null : digest(field(expected, "output_eval", where), where + " output_eval"),
                    digest(field(expected, "output_train", where), where + " output_train"),
                    digests(field(expected, "running", where), where + " running"),
                    digest(field(expected, "grad_input", where), where + " grad_input"),
                    digests(field(expected, "grad", where), where + " grad"));
        }

        /** A training objective's task: an integer, 1 or more (task 0 has no frozen model to check against). */
        int task(JsonNode c, String where) {
            JsonNode t = field(c, "task", where);
            if (!t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 1) {
                throw bad(where, "task", "an integer of 1 or more, got " + t);
            }
            return t.asInt();
        }

        /** A training objective's configuration: an array of "key=value" overrides. */
        List<String> sets(JsonNode c, String where) {
            JsonNode a = field(c, "sets", where);
            if (!a.isArray()) throw bad(where, "sets", "an array of \"key=value\" strings, got " + a);
            List<String> sets = new ArrayList<>();
            for (JsonNode v : a) {
                if (!v.isTextual() || !v.asText().contains("=")) {
                    throw bad(where, "sets", "an array of \"key=value\" strings, got the element " + v);
                }
                sets.add(v.asText());
            }
            return List.copyOf(sets);
        }

        Filled filled(JsonNode n, String where) {
            return new Filled(shape(n, where), rule(field(n, "rule", where), where));
        }

        Rule rule(JsonNode n, String where) {
            return new Rule(number(n, "offset", where), number(n, "scale", where), number(n, "freq", where),
                    n.has("chirp") ? number(n, "chirp", where) : 0, number(n, "phase", where));
        }

        Map<String, Digest> digests(JsonNode n, String where) {
            Map<String, Digest> out = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> out.put(e.getKey().replace('/', '_'),
                    digest(e.getValue(), where + " " + e.getKey())));
            return out;
        }

        Digest digest(JsonNode n, String where) {
            long[] shape = shape(n, where);
            double rms = number(n, "rms", where);
            if (n.has("values")) {
                return new Digest(shape, rms, doubles(n.get("values")), null, null, 0, 0);
            }
            double[] index = doubles(field(n, "index", where));
            long[] idx = new long[index.length];
            for (int i = 0; i < idx.length; i++) idx[i] = (long) index[i];
            double[] sample = doubles(field(n, "sample", where));
            if (sample.length != idx.length) throw bad(where, "sample", "as many values as \"index\"");
            return new Digest(shape, rms, null, idx, sample, number(n, "sum", where), number(n, "dot", where));
        }

        long[] shape(JsonNode n, String where) {
            JsonNode s = field(n, "shape", where);
            long[] shape = new long[s.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asLong();
            return shape;
        }

        double[] doubles(JsonNode a) {
            double[] v = new double[a.size()];
            for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
            return v;
        }

        JsonNode field(JsonNode n, String name, String where) {
            JsonNode v = n.get(name);
            if (v == null || v.isNull()) throw bad(where, name, "a value");
            return v;
        }

        String text(JsonNode n, String name, String where) {
            return field(n, name, where).asText();
        }

        double number(JsonNode n, String name, String where) {
            JsonNode v = field(n, name, where);
            if (!v.isNumber()) throw bad(where, name, "a number, got " + v);
            return v.asDouble();
        }

        GoldenVectors.MalformedException bad(String where, String field, String expected) {
            return new GoldenVectors.MalformedException(file + ": " + where + ": field \"" + field + "\": expected "
                    + expected);
        }
    }
}

package org.pnrspark.parity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads golden-vector files in the format of the reference's exports:
 * {@code {"dtype": "float64", "cases": [{"name", "loss", "params": {..}, "inputs": {..}, "value", "grads": {..}}]}},
 * every array a nested list (row-major). A file that does not follow it is rejected with the case and field named.
 */
public final class GoldenVectors {
    private GoldenVectors() {}

    /** A golden file that cannot be read as such; the message names the file and the place. */
    public static final class MalformedException extends RuntimeException {
        MalformedException(String message) {
            super(message);
        }
    }

    public static List<GoldenCase> read(String file, InputStream in) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (JsonProcessingException e) {
            throw new MalformedException(file + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || !root.isObject()) throw new MalformedException(file + ": expected a JSON object with \"cases\"");
        JsonNode dtype = root.get("dtype");
        if (dtype != null && !"float64".equals(dtype.asText())) {
            throw new MalformedException(file + ": dtype is \"" + dtype.asText() + "\", expected \"float64\"");
        }
        JsonNode cases = root.get("cases");
        if (cases == null || !cases.isArray()) throw new MalformedException(file + ": expected an array \"cases\"");
        List<GoldenCase> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : cases) {
            String where = file + ": case " + i + (c.hasNonNull("name") ? " (" + c.get("name").asText() + ")" : "");
            out.add(parseCase(c, where));
            i++;
        }
        return out;
    }

    private static GoldenCase parseCase(JsonNode c, String where) {
        if (!c.isObject()) throw new MalformedException(where + ": expected an object");
        String name = text(c, "name", where);
        String loss = text(c, "loss", where);
        Map<String, Double> params = new LinkedHashMap<>();
        JsonNode p = c.get("params");
        if (p != null) {
            if (!p.isObject()) throw new MalformedException(where + ": \"params\" must be an object of numbers");
            p.fields().forEachRemaining(e -> {
                if (!e.getValue().isNumber()) {
                    throw new MalformedException(where + ": params." + e.getKey() + " must be a number");
                }
                params.put(e.getKey(), e.getValue().asDouble());
            });
        }
        JsonNode value = c.get("value");
        if (value == null || !value.isNumber()) throw new MalformedException(where + ": \"value\" must be a number");
        return new GoldenCase(name, loss, params, arrays(c, "inputs", where), value.asDouble(), arrays(c, "grads", where));
    }

    private static String text(JsonNode c, String field, String where) {
        JsonNode n = c.get(field);
        if (n == null || !n.isTextual()) throw new MalformedException(where + ": \"" + field + "\" must be a string");
        return n.asText();
    }

    private static Map<String, INDArray> arrays(JsonNode c, String field, String where) {
        JsonNode node = c.get(field);
        if (node == null || !node.isObject()) {
            throw new MalformedException(where + ": \"" + field + "\" must be an object of arrays");
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), toArray(e.getValue(), where + ": " + field + "." + e.getKey()));
        }
        return out;
    }

    /** A nested list of numbers with a rectangular shape. */
    static INDArray toArray(JsonNode node, String where) {
        List<Long> shape = new ArrayList<>();
        JsonNode cur = node;
        while (cur != null && cur.isArray()) {
            if (cur.isEmpty()) throw new MalformedException(where + ": empty array");
            shape.add((long) cur.size());
            cur = cur.get(0);
        }
        if (shape.isEmpty()) throw new MalformedException(where + ": expected a nested array of numbers");
        long total = shape.stream().reduce(1L, (a, b) -> a * b);
        double[] data = new double[(int) total];
        int[] filled = {0};
        fill(node, 0, shape, data, filled, where);
        return Nd4j.create(data, shape.stream().mapToLong(Long::longValue).toArray(), DataType.DOUBLE);
    }

    private static void fill(JsonNode node, int depth, List<Long> shape, double[] data, int[] filled, String where) {
        if (depth == shape.size()) {
            if (!node.isNumber()) throw new MalformedException(where + ": non-numeric entry " + node);
            data[filled[0]++] = node.asDouble();
            return;
        }
        if (!node.isArray() || node.size() != shape.get(depth)) {
            throw new MalformedException(where + ": ragged array (expected shape " + shape + ")");
        }
        for (JsonNode child : node) fill(child, depth + 1, shape, data, filled, where);
    }
}

package org.pnrspark.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reference's golden loss vectors (src/test/resources/golden/losses-reference.json). */
public final class GoldenCases {
    public record Case(String name, String loss, Map<String, Double> params, Map<String, INDArray> inputs,
            double value, Map<String, INDArray> grads) {
        @Override
        public String toString() {
            return name;
        }
    }

    private GoldenCases() {}

    public static List<Case> of(String loss) {
        return all().stream().filter(c -> c.loss().equals(loss)).toList();
    }

    public static List<Case> all() {
        try (InputStream in = GoldenCases.class.getResourceAsStream("/golden/losses-reference.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                Map<String, Double> params = new LinkedHashMap<>();
                c.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asDouble()));
                cases.add(new Case(c.get("name").asText(), c.get("loss").asText(), params, arrays(c.get("inputs")),
                        c.get("value").asDouble(), arrays(c.get("grads"))));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, INDArray> arrays(JsonNode node) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), toArray(e.getValue()));
        }
        return out;
    }

    private static INDArray toArray(JsonNode node) {
        List<Long> shape = new ArrayList<>();
        JsonNode cur = node;
        while (cur.isArray()) {
            shape.add((long) cur.size());
            cur = cur.get(0);
        }
        List<Double> flat = new ArrayList<>();
        flatten(node, flat);
        double[] data = flat.stream().mapToDouble(Double::doubleValue).toArray();
        long[] s = shape.stream().mapToLong(Long::longValue).toArray();
        return Nd4j.create(data, s, DataType.DOUBLE);
    }

    private static void flatten(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            for (JsonNode child : node) flatten(child, out);
        } else {
            out.add(node.asDouble());
        }
    }
}

package org.pnrspark.loss;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/** Named scalar hyper-parameters of a loss (temperature, lamb, ...), as in the golden files. */
public final class LossParams implements Serializable {
    private final Map<String, Double> values;

    public LossParams(Map<String, Double> values) {
        this.values = new TreeMap<>(values);
    }

    public static LossParams of(String key, double value) {
        return new LossParams(Map.of(key, value));
    }

    public double get(String key) {
        Double v = values.get(key);
        if (v == null) throw new IllegalArgumentException("loss parameter '" + key + "' is missing (have " + values.keySet() + ")");
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

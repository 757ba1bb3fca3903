package org.pnrspark.model;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One weighted loss of the objective a loss layer computes: weight × loss(params), its inputs taken from the
 * layer's named embeddings, by their own name unless {@code inputs} binds them to others (BYOL's byol(p, z) is
 * used as byol(p := pr1, z := zm2)). A JSON bean for DL4J.
 */
public final class LossTerm implements Serializable {
    private String loss;
    private double weight;
    private Map<String, Double> params;
    private Map<String, String> inputs;

    public LossTerm() {
        this("", 1.0, Map.of());
    }

    public LossTerm(String loss, double weight, Map<String, Double> params) {
        this(loss, weight, params, Map.of());
    }

    public LossTerm(String loss, double weight, Map<String, Double> params, Map<String, String> inputs) {
        this.loss = loss;
        this.weight = weight;
        this.params = new LinkedHashMap<>(params);
        this.inputs = new LinkedHashMap<>(inputs);
    }

    /** The embedding that feeds the loss's input {@code name}. */
    public String source(String name) {
        return inputs.getOrDefault(name, name);
    }

    public Map<String, String> getInputs() {
        return inputs;
    }

    public void setInputs(Map<String, String> inputs) {
        this.inputs = new LinkedHashMap<>(inputs);
    }

    public String getLoss() {
        return loss;
    }

    public void setLoss(String loss) {
        this.loss = loss;
    }

    public double getWeight() {
        return weight;
    }

    public void setWeight(double weight) {
        this.weight = weight;
    }

    public Map<String, Double> getParams() {
        return params;
    }

    public void setParams(Map<String, Double> params) {
        this.params = new LinkedHashMap<>(params);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossTerm t && t.loss.equals(loss) && t.weight == weight && t.params.equals(params)
                && t.inputs.equals(inputs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(loss, weight, params, inputs);
    }

    @Override
    public String toString() {
        String bound = inputs.isEmpty() ? "" : inputs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
        return (weight == 1.0 ? "" : weight + "·") + loss + bound + (params.isEmpty() ? "" : params.toString());
    }
}

package org.pnrspark.model;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One weighted loss of the objective a loss layer computes: weight × loss(params). A JSON bean for DL4J. */
public final class LossTerm implements Serializable {
    private String loss;
    private double weight;
    private Map<String, Double> params;

    public LossTerm() {
        this("", 1.0, Map.of());
    }

    public LossTerm(String loss, double weight, Map<String, Double> params) {
        this.loss = loss;
        this.weight = weight;
        this.params = new LinkedHashMap<>(params);
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
        return o instanceof LossTerm t && t.loss.equals(loss) && t.weight == weight && t.params.equals(params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(loss, weight, params);
    }

    @Override
    public String toString() {
        return (weight == 1.0 ? "" : weight + "·") + loss + params;
    }
}

package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a loss on concrete arrays: its value and its gradients with respect to the trainable inputs. This is
 * how the golden vectors of the reference are checked, in the arrays' own data type (float64 for the goldens).
 */
public final class LossEvaluation {
    private LossEvaluation() {}

    public record Result(double value, Map<String, INDArray> gradients) {}

    public static Result evaluate(SslLoss loss, Map<String, INDArray> inputs, LossParams params) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        for (String name : loss.trainableInputs()) vars.put(name, sd.var(name, required(inputs, name, loss).dup()));
        for (String name : loss.constantInputs()) vars.put(name, sd.constant(name, required(inputs, name, loss).dup()));
        SDVariable value = loss.define(sd, vars, params);
        sd.setLossVariables(value.name());
        List<String> wrt = new ArrayList<>(loss.trainableInputs());
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), wrt);
        double v = value.eval().getDouble(0);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : wrt) out.put(name, grads.get(name));
        return new Result(v, out);
    }

    private static INDArray required(Map<String, INDArray> inputs, String name, SslLoss loss) {
        INDArray a = inputs.get(name);
        if (a == null) {
            throw new IllegalArgumentException("loss " + loss.name() + " needs input '" + name + "' (has "
                    + inputs.keySet() + ")");
        }
        return a;
    }
}

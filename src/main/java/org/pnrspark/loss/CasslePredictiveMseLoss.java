package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/** CaSSLe's predictive-MSE distillation for VICReg (docs/reference.md §4): ½[mse(p1, f1) + mse(p2, f2)]. */
public final class CasslePredictiveMseLoss extends BaseLoss {
    public static final String NAME = "cassle_predictive_mse";

    public CasslePredictiveMseLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return LossOps.mse(in.get("p1"), in.get("f1")).add(LossOps.mse(in.get("p2"), in.get("f2"))).mul(0.5);
    }
}

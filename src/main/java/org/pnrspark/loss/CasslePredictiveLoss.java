package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/** CaSSLe's predictive distillation for BYOL (docs/reference.md §4): ½[byol(p1, f1) + byol(p2, f2)]. */
public final class CasslePredictiveLoss extends BaseLoss {
    public static final String NAME = "cassle_predictive";

    public CasslePredictiveLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("p1"), in.get("p2"), in.get("f1"), in.get("f2"));
    }

    public static SDVariable define(SameDiff sd, SDVariable p1, SDVariable p2, SDVariable f1, SDVariable f2) {
        return ByolLoss.define(sd, p1, f1).add(ByolLoss.define(sd, p2, f2)).mul(0.5);
    }
}

package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/** CaSSLe's decorrelative distillation for Barlow Twins (docs/reference.md §4): ½[barlow(p1, f1) + barlow(p2, f2)]. */
public final class CassleDecorrelativeLoss extends BaseLoss {
    public static final String NAME = "cassle_decorrelative";

    public CassleDecorrelativeLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("p1"), in.get("p2"), in.get("f1"), in.get("f2"), params.get("lamb"),
                params.get("scale_loss"));
    }

    static SDVariable define(SameDiff sd, SDVariable p1, SDVariable p2, SDVariable f1, SDVariable f2, double lamb,
            double scale) {
        return BarlowLoss.define(sd, p1, f1, lamb, scale).add(BarlowLoss.define(sd, p2, f2, lamb, scale)).mul(0.5);
    }
}

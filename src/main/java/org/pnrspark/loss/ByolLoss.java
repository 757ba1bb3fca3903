package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * BYOL's regression loss in one direction (docs/reference.md §3.3): 2 − 2·mean cos(p, z), with z (the momentum target)
 * constant. BYOL's objective sums both directions: byol(p1, z2) + byol(p2, z1).
 */
public final class ByolLoss extends BaseLoss {
    public static final String NAME = "byol";

    public ByolLoss() {
        super(NAME, List.of("p"), List.of("z"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("p"), in.get("z"));
    }

    public static SDVariable define(SameDiff sd, SDVariable p, SDVariable z) {
        return LossOps.meanCosine(sd, p, z).mul(-2.0).add(2.0);
    }
}

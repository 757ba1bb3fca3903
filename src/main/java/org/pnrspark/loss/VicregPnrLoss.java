package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * The distillation terms of PNR for VICReg (docs/reference.md §5.5), CaSSLe's predictive-MSE term with an MSE
 * pseudo-negative: λd·½[mse(p1, f1) + mse(p2, f2)] − λn·½[mse(p1, f2) + mse(p2, f1)]. Unbounded below, as in the
 * reference: stability relies on λn < λd.
 */
public final class VicregPnrLoss extends BaseLoss {
    public static final String NAME = "vicreg_pnr";

    public VicregPnrLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        SDVariable p1 = in.get("p1"), p2 = in.get("p2"), f1 = in.get("f1"), f2 = in.get("f2");
        SDVariable positive = LossOps.mse(p1, f1).add(LossOps.mse(p2, f2)).mul(0.5);
        SDVariable negative = LossOps.mse(p1, f2).add(LossOps.mse(p2, f1)).mul(0.5);
        return positive.mul(params.get("distill_lamb")).sub(negative.mul(params.get("negative_lamb")));
    }
}

package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * The distillation terms of PNR for BYOL (docs/reference.md §5.3): the frozen output of the same view is the positive,
 * that of the other view the pseudo-negative:
 * λd·½[byol(p1, f1) + byol(p2, f2)] − λn·½[byol(p1, f2) + byol(p2, f1)].
 */
public final class ByolPnrLoss extends BaseLoss {
    public static final String NAME = "byol_pnr";

    public ByolPnrLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        SDVariable p1 = in.get("p1"), p2 = in.get("p2"), f1 = in.get("f1"), f2 = in.get("f2");
        SDVariable positive = ByolLoss.define(sd, p1, f1).add(ByolLoss.define(sd, p2, f2)).mul(0.5);
        SDVariable negative = ByolLoss.define(sd, p1, f2).add(ByolLoss.define(sd, p2, f1)).mul(0.5);
        return positive.mul(params.get("distill_lamb")).sub(negative.mul(params.get("negative_lamb")));
    }
}

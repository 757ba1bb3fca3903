package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * The distillation terms of PNR for Barlow Twins (docs/reference.md §5.4): a decorrelative positive term and a
 * SimSiam (negative cosine) pseudo-negative term with the frozen output of the other view:
 * λd·½[barlow(p1, f1) + barlow(p2, f2)] − λn·½[(−cos(p1, f2)) + (−cos(p2, f1))].
 */
public final class BarlowPnrLoss extends BaseLoss {
    public static final String NAME = "barlow_pnr";

    public BarlowPnrLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        SDVariable p1 = in.get("p1"), p2 = in.get("p2"), f1 = in.get("f1"), f2 = in.get("f2");
        SDVariable positive = CassleDecorrelativeLoss.define(sd, p1, p2, f1, f2, params.get("lamb"),
                params.get("scale_loss"));
        SDVariable simsiam = LossOps.meanCosine(sd, p1, f2).neg().add(LossOps.meanCosine(sd, p2, f1).neg()).mul(0.5);
        return positive.mul(params.get("distill_lamb")).sub(simsiam.mul(params.get("negative_lamb")));
    }
}

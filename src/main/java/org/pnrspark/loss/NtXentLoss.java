package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * SimCLR's NT-Xent (docs/reference.md §3.1): over the 2B normalised embeddings of both views, each row's positive is
 * the other view of the same image; the denominator runs over every other row (positive included, self excluded).
 */
public final class NtXentLoss extends BaseLoss {
    public static final String NAME = "nt_xent";

    public NtXentLoss() {
        super(NAME, List.of("z1", "z2"), List.of());
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("z1"), in.get("z2"), params.get("temperature"));
    }

    public static SDVariable define(SameDiff sd, SDVariable z1, SDVariable z2, double temperature) {
        SDVariable n1 = LossOps.normalizeRows(sd, z1);
        SDVariable n2 = LossOps.normalizeRows(sd, z2);
        SDVariable z = LossOps.stackRows(sd, n1, n2);
        SDVariable logits = LossOps.gram(sd, z, z).div(temperature);
        SDVariable lse = LossOps.logSumExpRows(sd, LossOps.exclude(logits, LossOps.identityLike(sd, z)));
        SDVariable positive = LossOps.rowDot(z, LossOps.swapHalves(sd, n1, n2)).div(temperature);
        return lse.sub(positive).mean();
    }
}

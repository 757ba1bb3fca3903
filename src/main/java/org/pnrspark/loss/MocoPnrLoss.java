package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * PNR for MoCo v2+ (docs/reference.md §5.2), which replaces MoCo's loss from task 1 on. Both the main term (q against
 * the momentum key k) and the regulariser (p = norm(g(q)) against the frozen key f) use the union of the momentum-key
 * queue and the frozen-key queue as negatives, view by view:
 * ½[ce(q1, k2, N1, τ) + ce(p1, f1, N1, τd) + ce(q2, k1, N0, τ) + ce(p2, f2, N0, τd)],
 * N_v = queue[v] ∪ queue2[v]. All inputs are already L2-normalised.
 */
public final class MocoPnrLoss extends BaseLoss {
    public static final String NAME = "moco_pnr";

    public MocoPnrLoss() {
        super(NAME, List.of("q1", "q2", "p1", "p2"), List.of("k1", "k2", "queue", "queue2", "f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        double tau = params.get("temperature");
        double distillTau = params.get("distill_temperature");
        SDVariable n1 = sd.concat(1, LossOps.queueView(in.get("queue"), 1), LossOps.queueView(in.get("queue2"), 1));
        SDVariable n0 = sd.concat(1, LossOps.queueView(in.get("queue2"), 0), LossOps.queueView(in.get("queue"), 0));
        return LossOps.queueCrossEntropy(sd, in.get("q1"), in.get("k2"), n1, tau)
                .add(LossOps.queueCrossEntropy(sd, in.get("p1"), in.get("f1"), n1, distillTau))
                .add(LossOps.queueCrossEntropy(sd, in.get("q2"), in.get("k1"), n0, tau))
                .add(LossOps.queueCrossEntropy(sd, in.get("p2"), in.get("f2"), n0, distillTau))
                .mul(0.5);
    }
}

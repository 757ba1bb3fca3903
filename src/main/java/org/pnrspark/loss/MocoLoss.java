package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * MoCo v2+ (docs/reference.md §3.2): ½[ce(q1, k2, Q[1]) + ce(q2, k1, Q[0])] with q, k already L2-normalised, the keys
 * and the (2, D, K) queue constant, and the positive in the denominator as in ordinary cross-entropy.
 */
public final class MocoLoss extends BaseLoss {
    public static final String NAME = "moco";

    public MocoLoss() {
        super(NAME, List.of("q1", "q2"), List.of("k1", "k2", "queue"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        double tau = params.get("temperature");
        SDVariable queue = in.get("queue");
        return LossOps.queueCrossEntropy(sd, in.get("q1"), in.get("k2"), LossOps.queueView(queue, 1), tau)
                .add(LossOps.queueCrossEntropy(sd, in.get("q2"), in.get("k1"), LossOps.queueView(queue, 0), tau))
                .mul(0.5);
    }
}

package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.pnrspark.model.Regularizers;

import java.io.Serializable;
import java.util.Optional;

/**
 * A self-supervised method under a continual strategy: which networks exist at task t and what the target
 * networks (momentum target, frozen previous model) must supply. Networks take the two views of each image stacked
 * on the channel axis ([N, 2C, H, W]) and are assembled from {@link org.pnrspark.model.NetworkBlocks}.
 */
public interface SslMethod extends Serializable {
    /** The name of the loss layer of every online network. */
    String LOSS_LAYER = "loss";

    /** The network trained at task t, ending in its loss layer. */
    default ComputationGraphConfiguration online(int task) {
        return online(task, DataType.FLOAT);
    }

    /** The network of task t in another floating-point type (float64 for the network parity check). */
    ComputationGraphConfiguration online(int task, DataType dataType);

    /** Adds the method's projector on encoder features h of width featureDim; returns its output vertex. */
    String addProjector(GraphBuilder g, String h, int featureDim, Regularizers reg);

    /** Adds the method's predictor on the projector's output (BYOL's), or returns null when it has none. */
    String addPredictor(GraphBuilder g, String projector, Regularizers reg);

    /**
     * Adds the continual strategy's head on the projector's output for task t (CaSSLe's and PNR's distill predictor
     * g, normalised for PNR with MoCo v2+; none for feature distillation); returns its output vertex p.
     */
    String addDistillHead(GraphBuilder g, String projector, int task, Regularizers reg);

    /** The frozen copy of the previous task's model: views in, its projections [f1 | f2] out. */
    ComputationGraphConfiguration frozen();

    /** Whether the minibatches of task t need outputs of the frozen previous model as labels. */
    boolean usesFrozenModel(int task);

    /** Width per image of the labels the online network of task t expects. */
    int targetWidth(int task);

    /** A one-line description of the objective at task t (for logs and results). */
    String describeObjective(int task);

    /** The momentum (EMA) target of BYOL and MoCo, if the method has one. */
    Optional<MomentumTarget> momentum();

    /**
     * The base learning rate of the strategy's head relative to the others' (its parameter group, docs/reference.md
     * §4, §5.3): 1 except for BYOL's predictive distillers with λ &lt; 1, which use lr / λ.
     */
    double distillHeadLrScale();

    /** MoCo's key queues at task t, if the method keeps any. */
    default Optional<QueueSpec> queues(int task) {
        return Optional.empty();
    }

    /**
     * Queues of L2-normalised keys that serve as negatives (docs/reference.md §3.2, §5.2): the momentum target's keys,
     * and, with {@code frozenKeys}, a second queue of the frozen previous model's outputs. Each is (2, dim, size), one
     * slice per view, filled in minibatch order.
     */
    record QueueSpec(int dim, int size, boolean frozenKeys) implements Serializable {
        /** How many queues the loss layer reads: the momentum-key queue, then the frozen-key queue. */
        public int count() {
            return frozenKeys ? 2 : 1;
        }
    }

    /**
     * A momentum target: a network of {@code network}'s layout (the online encoder and projector, same layer names)
     * whose parameters follow θm ← τ·θm + (1 − τ)·θ, τ rising from base to final on a cosine over each task's
     * steps (docs/reference.md §3.4). Its outputs [zm1 | zm2] come first in the labels.
     */
    record MomentumTarget(ComputationGraphConfiguration network, double baseTau, double finalTau)
            implements Serializable {
        /** τ after s of S steps of a task. */
        public double tau(long step, long totalSteps) {
            return finalTau - (finalTau - baseTau) * (Math.cos(Math.PI * step / totalSteps) + 1) / 2;
        }

        /**
         * The share of the target kept over {@code steps} steps from {@code firstStep}, the product of their τ: the
         * reference's update after every step, m ← τ m + (1 − τ) θ, applied once with this share towards the θ the
         * steps end at (exact when θ stays there, as it does for the target between two averaging rounds).
         */
        public double keepOverSteps(long firstStep, int steps, long totalSteps) {
            double keep = 1;
            for (int s = 0; s < steps; s++) keep *= tau(firstStep + s, totalSteps);
            return keep;
        }
    }
}

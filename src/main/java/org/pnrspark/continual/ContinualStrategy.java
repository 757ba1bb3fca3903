package org.pnrspark.continual;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.pnrspark.model.LossTerm;
import org.pnrspark.model.Regularizers;

import java.io.Serializable;
import java.util.List;

/**
 * How a continual run treats the tasks after the first, composed over any method: which outputs of the frozen
 * previous model it needs, which head it trains to meet them (with its learning-rate group), and what it adds to
 * or replaces in the method's own objective. Task 0 is always the method alone.
 *
 * <p>A method describes its own loss and heads ({@link MethodObjective}); the online network at task t is
 * encoder → projector → z [→ the method's predictor], plus, when {@link #usesFrozenModel} is true, p = the
 * strategy's head on the projector's output, compared in the loss with the frozen model's projections f.
 */
public interface ContinualStrategy extends Serializable {
    /** Its value of continual.strategy. */
    String configName();

    /** Whether task t trains against the frozen previous model, whose projections [f1 | f2] then come as labels. */
    default boolean usesFrozenModel(int task) {
        return task > 0;
    }

    /**
     * Adds the head that maps the online projections to p (compared with f) on {@code projector}, for a task that
     * uses the frozen model; returns its output vertex (the projector itself for a strategy without a head).
     */
    String addDistillHead(GraphBuilder g, String projector, MethodObjective method, int task, Regularizers reg);

    /** The head's base learning rate relative to the rest of the network's (its parameter group). */
    default double distillHeadLrScale(MethodObjective method) {
        return 1.0;
    }

    /** The loss terms of a task that uses the frozen model: the method's own, extended or replaced. */
    List<LossTerm> terms(MethodObjective method, int task);

    /** Whether the frozen model's keys join MoCo's momentum keys as negatives, in a queue of their own. */
    default boolean queuesFrozenKeys(MethodObjective method, int task) {
        return false;
    }
}

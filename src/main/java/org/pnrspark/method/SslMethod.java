package org.pnrspark.method;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import java.io.Serializable;

/**
 * A self-supervised method under a continual strategy: which networks exist at task t and what the frozen
 * previous model must supply. Networks take the two views of each image stacked on the channel axis
 * ([N, 2C, H, W]) and are assembled from {@link org.pnrspark.model.NetworkBlocks}.
 */
public interface SslMethod extends Serializable {
    /** The network trained at task t, ending in its loss layer. */
    ComputationGraphConfiguration online(int task);

    /** The frozen copy of the previous task's model: views in, the targets of {@link #targetWidth} out. */
    ComputationGraphConfiguration frozen();

    /** Whether the minibatches of task t need outputs of the frozen previous model as labels. */
    boolean usesFrozenModel(int task);

    /** Width per image of the labels the online network of task t expects. */
    int targetWidth(int task);

    /** A one-line description of the objective at task t (for logs and results). */
    String describeObjective(int task);
}

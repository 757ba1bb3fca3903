package org.pnrspark.model;

import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.pnrspark.config.JobConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What happens to a layer's gradients before the momentum-SGD step, per the optimiser of the configuration
 * (docs/reference.md §7): with {@code sgd}, coupled weight decay (g += wd·w, torch's weight_decay); with {@code lars},
 * LARS with the weight decay inside. Biases (and batch-norm parameters, which DL4J never regularises) get
 * neither when exclude_bias_n_norm is on.
 */
public record Regularizers(List<Regularization> weights, List<Regularization> biases) {
    public static Regularizers of(JobConfig.Optim optim) {
        List<Regularization> w = switch (optim.optimizer()) {
            case LARS -> List.of(new Lars(optim.larsEta(), optim.weightDecay(), true, 1e-8));
            case SGD -> optim.weightDecay() > 0 ? List.of(new L2Regularization(optim.weightDecay())) : List.of();
        };
        // mutable copies: dl4j-spark broadcasts the layer configurations with Kryo, which rebuilds a list by add()
        return new Regularizers(new ArrayList<>(w), new ArrayList<>(optim.excludeBiasAndNorm() ? List.of() : w));
    }
}

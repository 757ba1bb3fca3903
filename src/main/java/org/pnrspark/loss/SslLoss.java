package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * One loss of the reference as a pure function of named B x D inputs, defined in SameDiff so that the same
 * definition is trained (inside the model package's {@code SslLossLayer}, which this package cannot see) and checked against the reference's golden values and
 * gradients (float64). Input names follow the golden files: z = projections, p = distill-predictor outputs,
 * f = frozen-model outputs; suffix 1 or 2 = view.
 */
public interface SslLoss {
    /** The loss family's name in the golden files ("nt_xent", "simclr_pnr", ...). */
    String name();

    /** Inputs the loss is differentiated with respect to. */
    List<String> trainableInputs();

    /** Inputs that are constants (outputs of the frozen model, momentum keys, queues). */
    List<String> constantInputs();

    /** The scalar loss (a mean over the batch, as the reference computes it). */
    SDVariable define(SameDiff sd, Map<String, SDVariable> inputs, LossParams params);
}

package org.pnrspark.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Objects;

/**
 * LARS as the reference applies it (docs/reference.md §7, solo-learn's LARS wrapper around SGD), for one parameter
 * tensor, before the momentum-SGD step: if ‖w‖ ≠ 0 and ‖g‖ ≠ 0,
 * local = eta·‖w‖ / (‖g‖ + wd·‖w‖ + eps), scale = clip ? min(local / lr, 1) : local, g ← (g + wd·w)·scale;
 * otherwise g is left as it is, without weight decay. Parameters excluded from LARS (biases and batch-norm
 * parameters under exclude_bias_n_norm) simply carry no Lars regularisation: plain SGD, no weight decay.
 *
 * <p>DL4J applies it after dividing the gradient by the minibatch size and passes the layer's current learning
 * rate, so g and lr are exactly the reference's. A JSON bean: DL4J ships layer configurations as JSON.
 */
public final class Lars implements Regularization {
    private double eta;
    private double weightDecay;
    private boolean clip;
    private double eps;

    public Lars() {
        this(0.02, 0.0, true, 1e-8);
    }

    public Lars(double eta, double weightDecay, boolean clip, double eps) {
        this.eta = eta;
        this.weightDecay = weightDecay;
        this.clip = clip;
        this.eps = eps;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        double w = param.norm2Number().doubleValue();
        double g = gradView.norm2Number().doubleValue();
        if (w == 0 || g == 0) return;
        double local = eta * w / (g + weightDecay * w + eps);
        double scale = clip ? Math.min(local / lr, 1.0) : local;
        if (weightDecay != 0) gradView.addi(param.mul(weightDecay));
        gradView.muli(scale);
    }

    /** Weight decay is part of the update, not of the reported loss (as torch's weight_decay). */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0;
    }

    @Override
    public Lars clone() {
        return new Lars(eta, weightDecay, clip, eps);
    }

    public double getEta() {
        return eta;
    }

    public void setEta(double eta) {
        this.eta = eta;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    public boolean isClip() {
        return clip;
    }

    public void setClip(boolean clip) {
        this.clip = clip;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lars l && l.eta == eta && l.weightDecay == weightDecay && l.clip == clip && l.eps == eps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(eta, weightDecay, clip, eps);
    }

    @Override
    public String toString() {
        return "Lars(eta=" + eta + ", weight_decay=" + weightDecay + ", clip=" + clip + ", eps=" + eps + ")";
    }
}

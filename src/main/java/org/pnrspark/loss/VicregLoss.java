package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * VICReg (docs/reference.md §3.6): sim_weight·MSE(z1, z2) + var_weight·Σ_v mean_d relu(1 − sqrt(Var_unbiased(z_v[:, d])
 * + 1e-4)) + cov_weight·Σ_v Σ_{i≠j} C(z_v)_ij² / D, with C(z) the unbiased covariance of the columns.
 */
public final class VicregLoss extends BaseLoss {
    public static final String NAME = "vicreg";

    public VicregLoss() {
        super(NAME, List.of("z1", "z2"), List.of());
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        SDVariable z1 = in.get("z1"), z2 = in.get("z2");
        SDVariable invariance = LossOps.mse(z1, z2);
        SDVariable variance = variance(sd, z1).add(variance(sd, z2));
        SDVariable covariance = covariance(sd, z1).add(covariance(sd, z2));
        return invariance.mul(params.get("sim_weight")).add(variance.mul(params.get("var_weight")))
                .add(covariance.mul(params.get("cov_weight")));
    }

    private static SDVariable centredColumns(SDVariable z) {
        return z.sub(z.mean(true, 0));
    }

    /** mean_d relu(1 − std_d), std with the unbiased variance + 1e-4. */
    private static SDVariable variance(SameDiff sd, SDVariable z) {
        SDVariable c = centredColumns(z);
        SDVariable var = c.mul(c).sum(0).div(LossOps.rowCount(sd, z).sub(1.0));
        SDVariable std = var.add(1e-4).pow(0.5);
        return sd.nn.relu(std.rsub(1.0), 0.0).mean();
    }

    /** Σ_{i≠j} C_ij² / D with C = (z − mean)ᵀ(z − mean) / (B − 1). */
    private static SDVariable covariance(SameDiff sd, SDVariable z) {
        SDVariable c = centredColumns(z);
        SDVariable n = LossOps.rowCount(sd, z).sub(1.0);
        SDVariable cov = sd.mmul(c, c, true, false, false).div(n);
        SDVariable diag = c.mul(c).sum(0).div(n);
        SDVariable dims = LossOps.rowCount(sd, sd.transpose(z));
        return cov.mul(cov).sum().sub(diag.mul(diag).sum()).div(dims);
    }
}

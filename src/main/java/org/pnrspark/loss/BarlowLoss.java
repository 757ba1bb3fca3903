package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * Barlow Twins (docs/reference.md §3.5): standardise each column with the batch mean and biased variance (BatchNorm1d
 * without affine, eps 1e-5), C = z̃1ᵀ z̃2 / B, L = s·[Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²].
 */
public final class BarlowLoss extends BaseLoss {
    public static final String NAME = "barlow";

    public BarlowLoss() {
        super(NAME, List.of("z1", "z2"), List.of());
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("z1"), in.get("z2"), params.get("lamb"), params.get("scale_loss"));
    }

    public static SDVariable define(SameDiff sd, SDVariable z1, SDVariable z2, double lamb, double scale) {
        SDVariable a = standardizeColumns(z1);
        SDVariable b = standardizeColumns(z2);
        SDVariable batch = LossOps.rowCount(sd, z1);
        SDVariable c = sd.mmul(a, b, true, false, false).div(batch);
        SDVariable diag = a.mul(b).sum(0).div(batch);
        SDVariable onDiag = diag.sub(1.0).mul(diag.sub(1.0)).sum();
        SDVariable offDiag = c.mul(c).sum().sub(diag.mul(diag).sum());
        return onDiag.add(offDiag.mul(lamb)).mul(scale);
    }

    /** (x − mean) / sqrt(biased variance + 1e-5), per column. */
    static SDVariable standardizeColumns(SDVariable x) {
        SDVariable centred = x.sub(x.mean(true, 0));
        SDVariable variance = centred.mul(centred).mean(true, 0);
        return centred.div(variance.add(1e-5).pow(0.5));
    }
}

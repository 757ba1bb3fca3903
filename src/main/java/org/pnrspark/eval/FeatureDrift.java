package org.pnrspark.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.data.TaskSplit;

import java.util.List;

/**
 * How far a task moved the encoder's features away from the model it started from (the frozen previous model that
 * CaSSLe and PNR distil from), on the test images of each task's classes and on all test images. Two measures, each
 * 0 when nothing moved:
 * <ul>
 * <li>cosine distance: the mean over images of 1 − cos(f_before(x), f_after(x)), the per-image change of
 *     direction;</li>
 * <li>CKA distance: 1 − linear CKA (Kornblith et al., 2019) of the two feature matrices, a change of the features'
 *     geometry that ignores rotations and isotropic scaling of the whole space.</li>
 * </ul>
 * After task t the number to read is the entry of task t − 1: the images the frozen model was trained on last.
 *
 * @param seconds the time measuring it, the previous model's features included when they were extracted again (after
 *                a resume); 0 when not measured
 */
public record FeatureDrift(double[] cosine, double cosineAll, double[] cka, double ckaAll, double seconds) {

    /** The drift from {@code before} to {@code after}, features of the same test images in the same order. */
    public static FeatureDrift between(FeatureSet before, FeatureSet after, List<TaskSplit> tasks) {
        if (before.size() != after.size() || before.dim() != after.dim()) {
            throw new IllegalArgumentException("features of " + before.size() + " x " + before.dim() + " and "
                    + after.size() + " x " + after.dim() + " are not of the same images");
        }
        INDArray x = before.asDouble(), y = after.asDouble();
        double[] cosine = new double[tasks.size()], cka = new double[tasks.size()];
        for (TaskSplit task : tasks) {
            cosine[task.task()] = cosineDistance(x, y, task.testIndices());
            cka[task.task()] = ckaDistance(x, y, task.testIndices());
        }
        return new FeatureDrift(cosine, cosineDistance(x, y, null), cka, ckaDistance(x, y, null), 0);
    }

    /** Drift of {@code tasks} tasks that was not measured. */
    public static FeatureDrift none(int tasks) {
        double[] nan = new double[tasks];
        java.util.Arrays.fill(nan, Double.NaN);
        return new FeatureDrift(nan, Double.NaN, nan.clone(), Double.NaN, 0);
    }

    /** The same drift, measured in {@code s} seconds. */
    public FeatureDrift withSeconds(double s) {
        return new FeatureDrift(cosine, cosineAll, cka, ckaAll, s);
    }

    public boolean measured() {
        return !Double.isNaN(cosineAll);
    }

    /**
     * Measured after task {@code task}: the drift of the previous task's test images (cosine distance, or CKA
     * distance), the entry to read; NaN for task 0 and when not measured.
     */
    public double previousTask(int task, boolean ckaDistance) {
        if (task == 0 || !measured()) return Double.NaN;
        return (ckaDistance ? cka : cosine)[task - 1];
    }

    /**
     * Mean over the rows (all when {@code rows} is null) of 1 − cos(x_i, y_i); a pair with a zero row counts as
     * cos 0. NaN for no rows.
     */
    static double cosineDistance(INDArray x, INDArray y, int[] rows) {
        INDArray a = rows == null ? x : x.getRows(rows), b = rows == null ? y : y.getRows(rows);
        if (a.rows() == 0) return Double.NaN;
        INDArray dot = a.mul(b).sum(1);
        INDArray norms = a.norm2(1).muli(b.norm2(1));
        double sum = 0;
        for (long i = 0; i < dot.length(); i++) {
            double n = norms.getDouble(i);
            sum += 1 - (n > 0 ? dot.getDouble(i) / n : 0);
        }
        // 1 - cos is at least 0 but for rounding
        return Math.max(0, sum / dot.length());
    }

    /**
     * 1 − linear CKA of the rows (all when {@code rows} is null): with X and Y centred over the rows,
     * ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F). NaN for fewer than two rows or when one side is constant.
     */
    static double ckaDistance(INDArray x, INDArray y, int[] rows) {
        INDArray a = rows == null ? x.dup() : x.getRows(rows), b = rows == null ? y.dup() : y.getRows(rows);
        if (a.rows() < 2) return Double.NaN;
        a.subiRowVector(a.mean(0));
        b.subiRowVector(b.mean(0));
        double cross = squaredFrobenius(b.transpose().mmul(a));
        double self = Math.sqrt(squaredFrobenius(a.transpose().mmul(a)) * squaredFrobenius(b.transpose().mmul(b)));
        return self > 0 ? Math.max(0, 1 - cross / self) : Double.NaN;
    }

    private static double squaredFrobenius(INDArray m) {
        double f = m.norm2Number().doubleValue();
        return f * f;
    }
}

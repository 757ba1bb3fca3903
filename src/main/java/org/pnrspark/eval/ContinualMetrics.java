package org.pnrspark.eval;

/**
 * The continual-learning metrics of an accuracy matrix A[t][i] (row t = after training task t, column i = accuracy
 * on task i's test images, predictions over all classes), after the last completed task L:
 * <ul>
 *   <li>final accuracy: accuracy on all test images after task L (the papers' headline number);</li>
 *   <li>average accuracy: (1/T) Σ_i A[L][i];</li>
 *   <li>forgetting: (1/L) Σ_{i&lt;L} max_{t&lt;L} (A[t][i] − A[L][i]);</li>
 *   <li>forward transfer: (1/L) Σ_{1≤i≤L} (A[i−1][i] − R[i]), R = the randomly initialised encoder's row.</li>
 * </ul>
 * Undefined values (one task only, no baseline) are NaN.
 */
public record ContinualMetrics(double finalAccuracy, double averageAccuracy, double forgetting,
        double forwardTransfer) {

    /**
     * @param a          the completed rows of the accuracy matrix, each with one column per task
     * @param finalAll   accuracy on all test images after the last completed task
     * @param randomInit the randomly initialised encoder's row, or null
     */
    public static ContinualMetrics of(double[][] a, double finalAll, double[] randomInit) {
        if (a.length == 0) return new ContinualMetrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        int last = a.length - 1;
        double average = 0;
        for (double x : a[last]) average += x;
        average /= a[last].length;
        double forgetting = Double.NaN, transfer = Double.NaN;
        if (last > 0) {
            forgetting = 0;
            for (int i = 0; i < last; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < last; t++) best = Math.max(best, a[t][i]);
                forgetting += best - a[last][i];
            }
            forgetting /= last;
            if (randomInit != null) {
                transfer = 0;
                for (int i = 1; i <= last; i++) transfer += a[i - 1][i] - randomInit[i];
                transfer /= last;
            }
        }
        return new ContinualMetrics(finalAll, average, forgetting, transfer);
    }
}

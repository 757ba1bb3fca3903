package org.pnrspark.report;

import java.util.List;
import java.util.Locale;

/** Console tables of linear-probe accuracies and the continual metrics. */
public final class ResultsTable {
    private ResultsTable() {}

    /** The accuracy matrix of one run: a row per completed task, a column per task, then all classes. */
    public static String accuracyMatrix(RunResult run) {
        int tasks = run.config().scenario().tasks();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Linear-probe accuracy (%%), %s · %s · %s%n", run.config().method().name(),
                run.config().continual().strategy().configName(), run.config().data().dataset().configName()));
        sb.append("after task |");
        for (int i = 0; i < tasks; i++) sb.append(String.format(Locale.ROOT, " task %-2d", i));
        sb.append(" |   all\n");
        sb.append("-".repeat(11)).append('+').append("-".repeat(8 * tasks)).append("-+------\n");
        for (TaskResult t : run.tasks()) {
            sb.append(String.format(Locale.ROOT, "%10d |", t.task()));
            for (double a : t.accuracy()) sb.append(String.format(Locale.ROOT, " %7s", pct(a)));
            sb.append(String.format(Locale.ROOT, " | %5s%n", pct(t.accuracyAll())));
        }
        if (run.randomInit() != null) {
            sb.append(String.format(Locale.ROOT, "%10s |", "random"));
            for (double a : run.randomInit().accuracy()) sb.append(String.format(Locale.ROOT, " %7s", pct(a)));
            sb.append(String.format(Locale.ROOT, " | %5s%n", pct(run.randomInit().accuracyAll())));
        }
        sb.append(metricsLine("linear probe", run.metrics()));
        if (run.config().eval().knn().enabled()) sb.append(metricsLine("k-NN", run.knnMetrics()));
        return sb.toString();
    }

    private static String metricsLine(String what, org.pnrspark.eval.ContinualMetrics m) {
        return String.format(Locale.ROOT, "%s: final %s · average %s · forgetting %s · forward transfer %s (%%)%n",
                what, pct(m.finalAccuracy()), pct(m.averageAccuracy()), pct(m.forgetting()), pct(m.forwardTransfer()));
    }

    /**
     * Several runs side by side: accuracy on all classes after each task, one row per run, the continual metrics and
     * the final k-NN accuracy; then the random initialisation's accuracies, the baseline every row starts from.
     */
    public static String comparison(List<RunResult> runs) {
        if (runs.isEmpty()) return "";
        int tasks = runs.get(0).config().scenario().tasks();
        StringBuilder sb = new StringBuilder("Linear-probe accuracy on all classes (%) after each task\n");
        sb.append(String.format(Locale.ROOT, "%-10s |", "strategy"));
        for (int i = 0; i < tasks; i++) sb.append(String.format(Locale.ROOT, " task %-2d", i));
        sb.append(" | average | forget | fwd tr | k-NN | train img/s | minutes\n");
        sb.append("-".repeat(11)).append('+').append("-".repeat(8 * tasks))
                .append("-+---------+--------+--------+------+-------------+--------\n");
        for (RunResult r : runs) {
            sb.append(String.format(Locale.ROOT, "%-10s |", r.config().continual().strategy().configName()));
            for (int i = 0; i < tasks; i++) {
                sb.append(String.format(Locale.ROOT, " %7s", i < r.tasks().size() ? pct(r.tasks().get(i).accuracyAll()) : "-"));
            }
            double imgs = r.tasks().stream().mapToDouble(TaskResult::imagesPerSecond).average().orElse(Double.NaN);
            var m = r.metrics();
            double knn = r.tasks().isEmpty() ? Double.NaN : r.tasks().get(r.tasks().size() - 1).evaluation().knnAccuracyAll();
            sb.append(String.format(Locale.ROOT, " | %7s | %6s | %6s | %4s | %11.1f | %7.1f%n", pct(m.averageAccuracy()),
                    pct(m.forgetting()), pct(m.forwardTransfer()), pct(knn), imgs, r.seconds() / 60));
        }
        runs.stream().map(RunResult::randomInit).filter(java.util.Objects::nonNull).findFirst().ifPresent(e ->
                sb.append(String.format(Locale.ROOT, "random initialisation: linear probe %s, k-NN %s on all classes%n",
                        pct(e.accuracyAll()), pct(e.knnAccuracyAll()))));
        return sb.toString();
    }

    static String pct(double x) {
        return Double.isFinite(x) ? Charts.percent(x) : "-";
    }
}

package org.pnrspark.report;

import org.pnrspark.eval.Classifier;
import org.pnrspark.util.Durations;

import java.util.ArrayList;
import java.util.Arrays;
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
        for (Classifier c : Classifier.values()) {
            if (c.enabled(run.config().eval())) sb.append(metricsLine(c.label(), run.metrics(c)));
        }
        List<String> drifts = new ArrayList<>();
        for (TaskResult t : run.tasks()) {
            if (Double.isFinite(t.previousTaskDrift(false))) {
                drifts.add(String.format(Locale.ROOT, "task %d %s / %s", t.task(), drift(t.previousTaskDrift(false)),
                        drift(t.previousTaskDrift(true))));
            }
        }
        if (!drifts.isEmpty()) {
            sb.append("feature drift of the previous task's test images from the previous model (cosine / CKA "
                    + "distance): ").append(String.join(", ", drifts)).append('\n');
        }
        return sb.toString();
    }

    /** A feature drift, to four decimals; - when not measured. */
    static String drift(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.4f", x) : "-";
    }

    /**
     * Where the run's wall time went, in whole percent of it that add up to 100, and the training throughput over
     * its tasks: {@code time: 14m32s = train 9m50s (68 %) · evaluate ... · checkpoint ... · other ...; training
     * 1,234 img/s over the tasks}.
     */
    public static String timeLine(RunResult run) {
        TimeSplit split = run.timeSplit();
        double[] parts = {split.train(), split.evaluate(), split.checkpoint(), split.other(run.seconds())};
        int[] percent = wholePercentages(parts);
        double rate = run.trainingImagesPerSecond();
        return String.format(Locale.ROOT, "time: %s = train %s (%d %%) · evaluate %s (%d %%) · checkpoint %s (%d %%) "
                        + "· other %s (%d %%); training %s img/s over the tasks", Durations.format(run.seconds()),
                Durations.format(parts[0]), percent[0], Durations.format(parts[1]), percent[1],
                Durations.format(parts[2]), percent[2], Durations.format(parts[3]), percent[3],
                Double.isFinite(rate) ? String.format(Locale.ROOT, "%,.0f", rate) : "-");
    }

    /** Whole percentages that add up to 100: rounded down, then a point more for those that lost most. */
    static int[] wholePercentages(double[] parts) {
        double sum = Arrays.stream(parts).sum();
        int[] whole = new int[parts.length];
        if (!(sum > 0)) return whole;
        double[] cut = new double[parts.length];
        int given = 0;
        for (int i = 0; i < parts.length; i++) {
            double exact = 100 * parts[i] / sum;
            whole[i] = (int) Math.floor(exact);
            cut[i] = exact - whole[i];
            given += whole[i];
        }
        List<Integer> byCut = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) byCut.add(i);
        byCut.sort((a, b) -> Double.compare(cut[b], cut[a]));
        for (int k = 0; k < 100 - given; k++) whole[byCut.get(k)]++;
        return whole;
    }

    private static String metricsLine(String what, org.pnrspark.eval.ContinualMetrics m) {
        return String.format(Locale.ROOT, "%s: final %s · average %s · forgetting %s · forward transfer %s (%%)%n",
                what, pct(m.finalAccuracy()), pct(m.averageAccuracy()), pct(m.forgetting()), pct(m.forwardTransfer()));
    }

    /**
     * Several runs side by side: accuracy on all classes after each task, one row per run, the continual metrics,
     * the final k-NN accuracy and the mean feature drift (CKA distance); then where each run's time went, and the random initialisation's accuracies, the
     * baseline every row starts from.
     */
    public static String comparison(List<RunResult> runs) {
        if (runs.isEmpty()) return "";
        int tasks = runs.get(0).config().scenario().tasks();
        StringBuilder sb = new StringBuilder("Linear-probe accuracy on all classes (%) after each task\n");
        sb.append(String.format(Locale.ROOT, "%-10s |", "strategy"));
        for (int i = 0; i < tasks; i++) sb.append(String.format(Locale.ROOT, " task %-2d", i));
        sb.append(" | average | forget | fwd tr | k-NN |  drift | train img/s | minutes\n");
        sb.append("-".repeat(11)).append('+').append("-".repeat(8 * tasks))
                .append("-+---------+--------+--------+------+--------+-------------+--------\n");
        for (RunResult r : runs) {
            sb.append(String.format(Locale.ROOT, "%-10s |", r.config().continual().strategy().configName()));
            for (int i = 0; i < tasks; i++) {
                sb.append(String.format(Locale.ROOT, " %7s", i < r.tasks().size() ? pct(r.tasks().get(i).accuracyAll()) : "-"));
            }
            double imgs = r.tasks().stream().mapToDouble(TaskResult::imagesPerSecond).average().orElse(Double.NaN);
            var m = r.metrics(Classifier.LINEAR);
            double knn = r.tasks().isEmpty() ? Double.NaN : r.tasks().get(r.tasks().size() - 1).evaluation().of(Classifier.KNN).all();
            sb.append(String.format(Locale.ROOT, " | %7s | %6s | %6s | %4s | %6s | %11.1f | %7.1f%n",
                    pct(m.averageAccuracy()), pct(m.forgetting()), pct(m.forwardTransfer()), pct(knn),
                    drift(r.meanPreviousTaskDrift()), imgs, r.seconds() / 60));
        }
        for (RunResult r : runs) {
            sb.append(String.format(Locale.ROOT, "%-10s %s%n", r.config().continual().strategy().configName(),
                    timeLine(r)));
        }
        runs.stream().map(RunResult::randomInit).filter(java.util.Objects::nonNull).findFirst().ifPresent(e ->
                sb.append(String.format(Locale.ROOT, "random initialisation: linear probe %s, k-NN %s on all classes%n",
                        pct(e.accuracyAll()), pct(e.of(Classifier.KNN).all()))));
        return sb.toString();
    }

    static String pct(double x) {
        return Double.isFinite(x) ? Charts.percent(x) : "-";
    }
}

package org.pnrspark.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.pnrspark.eval.Classifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.pnrspark.report.Charts.escape;

/**
 * Self-contained HTML reports (inline SVG and CSS, no script, no network): {@code report.html} of one run, made
 * from its results.json after every task, and the side-by-side comparison of several runs ({@code compare}).
 */
public final class HtmlReport {
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#111;padding:0 16px}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
            .sub{color:#555;margin-top:0}table{border-collapse:collapse;margin:8px 0;font-size:13px}
            td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}
            .charts{display:flex;flex-wrap:wrap;gap:16px}.note{color:#555;font-size:12px}
            """;

    private HtmlReport() {}

    /** The report of one run. */
    public static String run(String resultsJson, String source) throws java.io.IOException {
        ResultsFile v = ResultsFile.parse(resultsJson, source);
        JsonNode run = v.run();
        int tasks = v.numTasks(), done = v.completedTasks();
        StringBuilder html = head("pnr-spark · " + v.name() + " · " + v.label());
        html.append("<h1>").append(escape(v.name())).append(" — ").append(escape(v.label())).append("</h1>\n");
        html.append(String.format(Locale.ROOT, "<p class=\"sub\">%s, %s in %d tasks · encoder %s · %d epochs per task "
                        + "· %d workers × batch %d, averaging every %d · seed %d · %d of %d tasks done · written %s</p>%n",
                escape(run.get("dataset").asText()), escape(run.get("scenario").asText()), tasks,
                escape(run.get("encoder").asText()), run.get("epochs_per_task").asInt(), run.get("workers").asInt(),
                run.get("batch_size_per_worker").asInt(), run.get("averaging_frequency").asInt(),
                run.get("seed").asLong(), done, tasks, escape(v.root().get("written_at").asText())));

        html.append("<h2>Continual metrics</h2>\n<table><tr><th>evaluation</th><th>final accuracy</th>"
                + "<th>average accuracy</th><th>forgetting</th><th>forward transfer</th></tr>\n");
        for (Classifier c : Classifier.values()) {
            if (!v.root().hasNonNull(c.metricsKey())) continue;
            String label = c == Classifier.LINEAR ? c.label() + " (" + run.get("linear_probe").asText() + ")" : c.label();
            html.append(metricsRow(label, v, c.metricsKey()));
        }
        html.append("</table>\n<p class=\"note\">Percent. Final: all classes after the last task; average: mean over "
                + "tasks of the last row; forgetting: mean drop from each earlier task's best; forward transfer: "
                + "accuracy on task i after task i−1 minus the randomly initialised encoder's (docs/running.md, Evaluation and continual metrics).</p>\n");

        html.append("<h2>Accuracy</h2>\n<div class=\"charts\">\n");
        for (Classifier c : Classifier.values()) {
            if (!v.root().hasNonNull(c.matrixKey())) continue;
            html.append(heatMap(c.title() + " A[t][i] (%)", v.matrix(c.matrixKey()), v.randomInit(c.accuracyKey()),
                    tasks));
            html.append(perTaskChart(v, c.accuracyKey(), c.accuracyAllKey(), c.title() + " per task after each task"));
        }
        html.append("</div>\n");

        html.append("<h2>Training</h2>\n<div class=\"charts\">\n");
        List<double[]> curve = v.curve();
        double[] xs = new double[curve.size()], loss = new double[curve.size()], rate = new double[curve.size()],
                lr = new double[curve.size()];
        List<Double> boundaries = new ArrayList<>();
        for (int i = 0; i < curve.size(); i++) {
            xs[i] = i + 1;
            loss[i] = curve.get(i)[2];
            lr[i] = curve.get(i)[3];
            rate[i] = curve.get(i)[4];
            if (i > 0 && curve.get(i)[0] != curve.get(i - 1)[0]) boundaries.add(i + 0.5);
        }
        html.append(Charts.lineChart("Training loss per epoch (dashed: new task)", "epoch (all tasks)", "loss",
                List.of(new Charts.Series("loss", Charts.color(0), xs, loss, true)), Double.NaN, Double.NaN, null,
                boundaries));
        html.append(termsChart(xs, v.curveTerms(), boundaries));
        html.append(Charts.lineChart("Training throughput (two views count as two images)", "epoch (all tasks)", "images / s",
                List.of(new Charts.Series("images/s", Charts.color(2), xs, rate, false)), 0, Double.NaN, null,
                boundaries));
        html.append(Charts.lineChart("Learning rate", "epoch (all tasks)", "lr",
                List.of(new Charts.Series("lr", Charts.color(1), xs, lr, false)), 0, Double.NaN, null, boundaries));
        html.append("</div>\n");

        html.append("<h2>Tasks</h2>\n<table><tr><th>task</th><th>classes</th><th>objective</th><th>images</th>"
                + "<th>final loss</th><th>train s</th><th>img/s</th><th>eval s</th><th>all classes %</th>"
                + "<th>drift (cosine / CKA)</th></tr>\n");
        List<TaskResult> finished = v.finished().tasks();
        for (int i = 0; i < finished.size(); i++) {
            JsonNode t = v.tasks().get(i);
            double cosine = finished.get(i).previousTaskDrift(false), cka = finished.get(i).previousTaskDrift(true);
            html.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%d</td><td>%s</td>"
                            + "<td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%s</td><td>%s</td></tr>%n", t.get("task").asInt(),
                    escape(t.get("classes").toString()), escape(t.get("objective").asText()),
                    t.get("train_images").asInt(), Charts.number(ResultsFile.number(t.get("final_loss"))),
                    t.get("train_seconds").asDouble(), t.get("images_per_second").asDouble(),
                    t.get("eval_seconds").asDouble(), pct(ResultsFile.number(t.get("accuracy_all"))),
                    Double.isFinite(cosine) ? ResultsTable.drift(cosine) + " / " + ResultsTable.drift(cka) : "–"));
        }
        html.append("</table>\n<p class=\"note\">Drift: how far the features of the previous task's test images moved "
                + "from the model the task started from (the frozen model CaSSLe and PNR distil from): mean cosine "
                + "distance, and 1 − linear CKA (docs/running.md, Feature drift).</p>\n");
        JsonNode versions = v.root().get("versions");
        html.append(String.format(Locale.ROOT, "<p class=\"note\">pnr-spark %s · Deeplearning4j %s · Spark %s · "
                        + "Java %s · master %s · total %.1f min · configuration: config.conf next to this file.</p>%n",
                escape(versions.get("pnr_spark").asText()), escape(versions.get("deeplearning4j").asText()),
                escape(versions.get("spark").asText()), escape(versions.get("java").asText()),
                escape(run.get("spark_master").asText()), v.root().get("total_seconds").asDouble() / 60));
        return html.append("</body></html>\n").toString();
    }

    /** One line per term of the objective (a term absent in some tasks leaves a gap there). */
    private static String termsChart(double[] xs, List<java.util.Map<String, Double>> terms, List<Double> boundaries) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (var t : terms) names.addAll(t.keySet());
        List<Charts.Series> series = new ArrayList<>();
        int i = 0;
        for (String name : names) {
            double[] ys = new double[xs.length];
            for (int k = 0; k < xs.length; k++) ys[k] = terms.get(k).getOrDefault(name, Double.NaN);
            series.add(new Charts.Series(name, Charts.color(i++), xs, ys, false));
        }
        return Charts.lineChart("Weighted loss terms on a fixed minibatch after each epoch", "epoch (all tasks)",
                "term value", series, Double.NaN, Double.NaN, null, boundaries);
    }

    /** Several runs side by side: a metrics table and accuracy on all classes after each task. */
    public static String comparison(List<String> resultsJson, List<String> sources) throws java.io.IOException {
        List<ResultsFile> runs = new ArrayList<>();
        for (int i = 0; i < resultsJson.size(); i++) runs.add(ResultsFile.parse(resultsJson.get(i), sources.get(i)));
        StringBuilder html = head("pnr-spark · comparison of " + runs.size() + " runs");
        html.append("<h1>Comparison of ").append(runs.size()).append(" runs</h1>\n");
        html.append(comparisonTable(runs, sources));
        int tasks = runs.stream().mapToInt(ResultsFile::numTasks).max().orElse(1);
        List<String> ticks = new ArrayList<>();
        for (int t = 0; t < tasks; t++) ticks.add("task " + t);
        html.append("<div class=\"charts\">\n");
        for (Classifier c : Classifier.values()) {
            List<Charts.Series> series = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                double[] ys = runs.get(i).allClasses(c.accuracyAllKey());
                double[] xs = new double[ys.length];
                for (int t = 0; t < xs.length; t++) {
                    xs[t] = t;
                    ys[t] *= 100;
                }
                series.add(new Charts.Series(runs.get(i).label(), Charts.color(i), xs, ys, false));
            }
            if (series.stream().anyMatch(s -> java.util.Arrays.stream(s.ys()).anyMatch(Double::isFinite))) {
                html.append(Charts.lineChart(c.title() + " on all classes after each task", "after task", "accuracy (%)", series, Double.NaN, Double.NaN,
                        ticks, null));
            }
        }
        return html.append("</div>\n</body></html>\n").toString();
    }

    /** The comparison as an HTML table: one row per run. */
    private static String comparisonTable(List<ResultsFile> runs, List<String> sources) {
        StringBuilder html = new StringBuilder("<table><tr><th>run</th><th>method · strategy</th><th>tasks</th>"
                + "<th>final %</th><th>average %</th><th>forgetting</th><th>forward transfer</th><th>k-NN final %</th>"
                + "<th>mean drift (CKA)</th><th>results</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            ResultsFile r = runs.get(i);
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%d/%d</td><td>%s</td><td>%s</td>"
                            + "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n", escape(r.name()),
                    escape(r.label()), r.completedTasks(), r.numTasks(), pct(r.metric("metrics", "final_accuracy")),
                    pct(r.metric("metrics", "average_accuracy")), pct(r.metric("metrics", "forgetting")),
                    pct(r.metric("metrics", "forward_transfer")), pct(r.metric("knn_metrics", "final_accuracy")),
                    ResultsTable.drift(r.meanPreviousTaskDrift()), escape(sources.get(i))));
        }
        return html.append("</table>\n").toString();
    }

    private static String metricsRow(String what, ResultsFile v, String block) {
        return String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
                escape(what), pct(v.metric(block, "final_accuracy")), pct(v.metric(block, "average_accuracy")),
                pct(v.metric(block, "forgetting")), pct(v.metric(block, "forward_transfer")));
    }

    private static String heatMap(String title, double[][] matrix, double[] randomInit, int tasks) {
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (randomInit != null) {
            rows.add(randomInit);
            labels.add("random init");
        }
        for (int t = 0; t < tasks; t++) {
            rows.add(matrix != null && t < matrix.length ? matrix[t] : new double[0]);
            labels.add("after task " + t);
        }
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < tasks; i++) cols.add("task " + i);
        return Charts.heatMap(title, rows.toArray(double[][]::new), labels, cols);
    }

    /** Accuracy on each task's classes (one line per task) and on all classes (bold) after each task. */
    private static String perTaskChart(ResultsFile v, String perTaskKey, String allKey, String title) {
        int tasks = v.numTasks(), done = v.completedTasks();
        List<Charts.Series> series = new ArrayList<>();
        double[] xs = new double[done];
        for (int t = 0; t < done; t++) xs[t] = t;
        for (int i = 0; i < tasks; i++) {
            double[] ys = new double[done];
            for (int t = 0; t < done; t++) ys[t] = 100 * ResultsFile.number(v.tasks().get(t).get(perTaskKey).get(i));
            series.add(new Charts.Series("task " + i, Charts.color(i), xs, ys, false));
        }
        double[] all = v.allClasses(allKey);
        for (int t = 0; t < all.length; t++) all[t] *= 100;
        series.add(new Charts.Series("all classes", "#111", xs, all, true));
        List<String> ticks = new ArrayList<>();
        for (int t = 0; t < tasks; t++) ticks.add(String.valueOf(t));
        return Charts.lineChart(title, "after task", "accuracy (%)", series, Double.NaN, Double.NaN, ticks, null);
    }

    private static StringBuilder head(String title) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
    }

    private static String pct(double x) {
        return Double.isFinite(x) ? Charts.percent(x) : "–";
    }
}

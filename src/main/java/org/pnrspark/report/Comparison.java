package org.pnrspark.report;

import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several runs side by side, read from their results.json files (a run directory or the file itself, on any
 * Hadoop file system): a console table and an HTML page with plots.
 */
public final class Comparison {
    private final List<String> json;
    private final List<String> sources;
    private final List<ResultsFile> runs;

    private Comparison(List<String> json, List<String> sources, List<ResultsFile> runs) {
        this.json = json;
        this.sources = sources;
        this.runs = runs;
    }

    /** Reads each location's results.json; a location that has none is an error naming it. */
    public static Comparison load(Storage storage, List<String> locations) throws IOException {
        if (locations.isEmpty()) throw new IllegalArgumentException("name at least one run directory");
        List<String> json = new ArrayList<>(), sources = new ArrayList<>();
        List<ResultsFile> runs = new ArrayList<>();
        for (String location : locations) {
            String file = location.endsWith(".json") ? location : Storage.child(location, ResultsWriter.RESULTS_JSON);
            if (!storage.isFile(file)) {
                throw new IOException(location + ": no results here (expected " + file + ", written after each task)");
            }
            String text = storage.readString(file);
            runs.add(ResultsFile.parse(text, file));
            json.add(text);
            sources.add(location);
        }
        return new Comparison(json, sources, runs);
    }

    /**
     * One row per run: accuracy on all classes after each task, then the continual metrics (percent) and the mean
     * feature drift (CKA distance of the previous task's test images, over the tasks from task 1 on).
     */
    public String table() {
        int tasks = runs.stream().mapToInt(ResultsFile::numTasks).max().orElse(0);
        int width = Math.max(20, runs.stream().mapToInt(r -> r.label().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder("Linear-probe accuracy on all classes (%) after each task, and the "
                + "continual metrics (%)\n");
        sb.append(String.format(Locale.ROOT, "%-" + width + "s |", "method · strategy"));
        for (int i = 0; i < tasks; i++) sb.append(String.format(Locale.ROOT, " task %-2d", i));
        sb.append(" | average | forget | fwd tr | k-NN |  drift | run\n");
        for (int i = 0; i < runs.size(); i++) {
            ResultsFile r = runs.get(i);
            sb.append(String.format(Locale.ROOT, "%-" + width + "s |", r.label()));
            double[] all = r.allClasses("accuracy_all");
            for (int t = 0; t < tasks; t++) {
                sb.append(String.format(Locale.ROOT, " %7s", t < all.length ? ResultsTable.pct(all[t]) : "-"));
            }
            sb.append(String.format(Locale.ROOT, " | %7s | %6s | %6s | %4s | %6s | %s%n",
                    ResultsTable.pct(r.metric("metrics", "average_accuracy")),
                    ResultsTable.pct(r.metric("metrics", "forgetting")),
                    ResultsTable.pct(r.metric("metrics", "forward_transfer")),
                    ResultsTable.pct(r.metric("knn_metrics", "final_accuracy")),
                    ResultsTable.drift(r.meanPreviousTaskDrift()), sources.get(i)));
        }
        // the baseline the rows start from (the same for runs of one seed and encoder)
        runs.stream().filter(r -> Double.isFinite(r.randomInitAll("accuracy_all"))).findFirst().ifPresent(r ->
                sb.append(String.format(Locale.ROOT, "random initialisation: linear probe %s, k-NN %s on all classes%n",
                        ResultsTable.pct(r.randomInitAll("accuracy_all")),
                        ResultsTable.pct(r.randomInitAll("knn_accuracy_all")))));
        return sb.toString();
    }

    public String html() throws IOException {
        return HtmlReport.comparison(json, sources);
    }
}

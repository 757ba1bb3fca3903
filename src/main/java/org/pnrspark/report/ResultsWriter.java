package org.pnrspark.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code results.json} (schema {@value #SCHEMA_VERSION}, documented in the README) and
 * {@code accuracy.csv} into the run's output directory, atomically.
 */
public final class ResultsWriter {
    public static final int SCHEMA_VERSION = 1;
    public static final String RESULTS_JSON = "results.json";
    public static final String ACCURACY_CSV = "accuracy.csv";

    private ResultsWriter() {}

    public static void write(RunResult run, Storage storage) throws IOException {
        storage.writeString(Storage.child(run.outputDir(), RESULTS_JSON), json(run));
        storage.writeString(Storage.child(run.outputDir(), ACCURACY_CSV), csv(run));
    }

    static String json(RunResult run) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema_version", SCHEMA_VERSION);
        root.put("written_at", Instant.now().toString());
        var c = run.config();
        Map<String, Object> runInfo = new LinkedHashMap<>();
        runInfo.put("name", c.run().name());
        runInfo.put("seed", c.run().seed());
        runInfo.put("dataset", c.data().dataset().configName());
        runInfo.put("data_root", c.data().root());
        runInfo.put("scenario", c.scenario().type());
        runInfo.put("num_tasks", c.scenario().tasks());
        runInfo.put("method", c.method().name());
        runInfo.put("strategy", c.continual().strategy().configName());
        runInfo.put("encoder", c.model().encoder());
        runInfo.put("epochs_per_task", c.optim().epochs());
        runInfo.put("spark_master", run.master());
        runInfo.put("workers", run.workers());
        runInfo.put("batch_size_per_worker", c.spark().batchSizePerWorker());
        runInfo.put("averaging_frequency", c.spark().averagingFrequency());
        runInfo.put("output_dir", run.outputDir());
        runInfo.put("config_file", "config.conf");
        root.put("run", runInfo);

        List<Map<String, Object>> tasks = new ArrayList<>();
        for (TaskResult t : run.tasks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", t.task());
            m.put("classes", t.classes());
            m.put("objective", t.objective());
            m.put("train_images", t.trainImages());
            m.put("epochs", t.epochs());
            m.put("steps", t.steps());
            m.put("final_loss", finite(t.finalLoss()));
            m.put("epoch_losses", java.util.Arrays.stream(t.epochLosses()).mapToObj(ResultsWriter::finite).toList());
            m.put("train_seconds", t.trainSeconds());
            m.put("images_per_second", t.imagesPerSecond());
            m.put("probe_seconds", t.probeSeconds());
            m.put("accuracy", toList(t.accuracy()));
            m.put("accuracy_all", finite(t.accuracyAll()));
            m.put("checkpoint", t.checkpoint());
            m.put("checkpoint_sha256", t.checkpointSha256());
            tasks.add(m);
        }
        root.put("tasks", tasks);

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("final_accuracy", finite(run.finalAccuracy()));
        root.put("metrics", metrics);
        root.put("accuracy_matrix", run.tasks().stream().map(t -> toList(t.accuracy())).toList());
        root.put("total_seconds", run.seconds());
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("pnr_spark", Versions.project());
        versions.put("deeplearning4j", Versions.of(org.deeplearning4j.nn.graph.ComputationGraph.class));
        versions.put("spark", run.sparkVersion());
        versions.put("java", System.getProperty("java.version"));
        root.put("versions", versions);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    /** Row t = after task t, one column per task, then the accuracy on all classes. */
    static String csv(RunResult run) {
        StringBuilder sb = new StringBuilder("after_task");
        int tasks = run.config().scenario().tasks();
        for (int i = 0; i < tasks; i++) sb.append(",task_").append(i);
        sb.append(",all\n");
        for (TaskResult t : run.tasks()) {
            sb.append(t.task());
            for (double a : t.accuracy()) sb.append(',').append(String.format(Locale.ROOT, "%.6f", a));
            sb.append(',').append(String.format(Locale.ROOT, "%.6f", t.accuracyAll())).append('\n');
        }
        return sb.toString();
    }

    private static List<Object> toList(double[] xs) {
        List<Object> out = new ArrayList<>();
        for (double x : xs) out.add(finite(x));
        return out;
    }

    /** JSON has no NaN: undefined values are null. */
    private static Object finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}

package org.pnrspark.report;

import org.pnrspark.eval.Evaluation;
import org.pnrspark.eval.FeatureDrift;
import org.pnrspark.eval.Classifier;
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
 * Writes a run's results into its output directory, atomically, after every task: {@code results.json} (schema
 * {@value #SCHEMA_VERSION}, documented in docs/running.md and in {@code results.schema.json}), the accuracy matrices as
 * CSV ({@code accuracy.csv}, {@code knn_accuracy.csv}), the training curves ({@code curves.csv},
 * {@code loss_terms.csv}) and
 * {@code report.html}.
 */
public final class ResultsWriter {
    public static final int SCHEMA_VERSION = 2;
    public static final String RESULTS_JSON = "results.json";
    public static final String CURVES_CSV = "curves.csv";
    public static final String LOSS_TERMS_CSV = "loss_terms.csv";
    public static final String REPORT_HTML = "report.html";
    /** A task's drift of the test images' features from the previous model (null when not measured). */
    public static final String FEATURE_DRIFT = "feature_drift";

    private ResultsWriter() {}

    public static void write(RunResult run, Storage storage) throws IOException {
        String json = json(run);
        storage.writeString(Storage.child(run.outputDir(), RESULTS_JSON), json);
        storage.writeString(Storage.child(run.outputDir(), REPORT_HTML), HtmlReport.run(json, RESULTS_JSON));
        for (Classifier c : Classifier.values()) {
            if (c.enabled(run.config().eval())) {
                storage.writeString(Storage.child(run.outputDir(), c.csvFile()), csv(run, c));
            }
        }
        storage.writeString(Storage.child(run.outputDir(), CURVES_CSV), curves(run));
        storage.writeString(Storage.child(run.outputDir(), LOSS_TERMS_CSV), lossTerms(run));
    }

    /** Long format, one row per term and epoch: task, epoch, term, value (weighted, on the fixed minibatch). */
    static String lossTerms(RunResult run) {
        StringBuilder sb = new StringBuilder("task,epoch,term,value\n");
        for (TaskResult t : run.tasks()) {
            for (EpochFigures e : t.curve()) {
                e.terms().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%d,%d,%s,%.6f%n", t.task(),
                        e.epoch(), k, v)));
            }
        }
        return sb.toString();
    }

    private static Map<String, Object> evaluation(Evaluation e) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Classifier c : Classifier.values()) {
            m.put(c.accuracyKey(), toList(e.of(c).perTask()));
            m.put(c.accuracyAllKey(), finite(e.of(c).all()));
        }
        m.put("eval_seconds", e.seconds());
        m.put("features_seconds", finite(e.featureSeconds()));
        for (Classifier c : Classifier.values()) m.put(c.secondsKey(), finite(e.of(c).seconds()));
        m.put("drift_seconds", finite(e.drift().seconds()));
        m.put(FEATURE_DRIFT, e.drift().measured() ? drift(e.drift()) : null);
        return m;
    }

    private static Map<String, Object> drift(FeatureDrift d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cosine", toList(d.cosine()));
        m.put("cosine_all", finite(d.cosineAll()));
        m.put("cka", toList(d.cka()));
        m.put("cka_all", finite(d.ckaAll()));
        return m;
    }

    private static Map<String, Object> metrics(org.pnrspark.eval.ContinualMetrics x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("final_accuracy", finite(x.finalAccuracy()));
        m.put("average_accuracy", finite(x.averageAccuracy()));
        m.put("forgetting", finite(x.forgetting()));
        m.put("forward_transfer", finite(x.forwardTransfer()));
        return m;
    }

    private static List<List<Object>> matrix(double[][] rows) {
        List<List<Object>> out = new ArrayList<>();
        for (double[] r : rows) out.add(toList(r));
        return out;
    }

    /** One row per epoch of every task: task, epoch, loss, lr, images_per_second, seconds. */
    static String curves(RunResult run) {
        StringBuilder sb = new StringBuilder("task,epoch,loss,lr,images_per_second,seconds\n");
        for (TaskResult t : run.tasks()) {
            for (EpochFigures e : t.curve()) {
                sb.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6g,%.2f,%.3f%n", t.task(), e.epoch(), e.loss(),
                        e.lr(), e.imagesPerSecond(), e.seconds()));
            }
        }
        return sb.toString();
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
        runInfo.put("data_root", org.pnrspark.config.Redaction.uri(c.data().root()));
        runInfo.put("scenario", c.scenario().type().configName());
        runInfo.put("num_tasks", c.scenario().tasks());
        runInfo.put("method", c.method().name());
        runInfo.put("strategy", c.continual().strategy().configName());
        runInfo.put("encoder", c.model().encoder().configName());
        runInfo.put("epochs_per_task", c.optim().epochs());
        runInfo.put("spark_master", run.master());
        runInfo.put("workers", run.workers());
        runInfo.put("batch_size_per_worker", c.spark().batchSizePerWorker());
        runInfo.put("averaging_frequency", c.spark().averagingFrequency());
        runInfo.put("linear_probe", c.eval().probeProtocol().configName());
        runInfo.put("output_dir", org.pnrspark.config.Redaction.uri(run.outputDir()));
        runInfo.put("config_file", "config.conf");
        root.put("run", runInfo);
        root.put("config", c.hocon());

        root.put("random_init", run.randomInit() == null ? null : evaluation(run.randomInit()));
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
            m.put("train_seconds", t.trainSeconds());
            m.put("images_per_second", t.imagesPerSecond());
            m.putAll(evaluation(t.evaluation()));
            m.put("checkpoint", t.checkpoint());
            m.put("checkpoint_sha256", t.checkpointSha256());
            m.put("checkpoint_seconds", finite(t.checkpointSeconds()));
            m.put("frozen_model_sha256", t.frozenModelSha256());
            List<Map<String, Object>> curve = new ArrayList<>();
            for (EpochFigures e : t.curve()) curve.add(curvePoint(e));
            m.put("curve", curve);
            tasks.add(m);
        }
        root.put("tasks", tasks);
        for (Classifier k : Classifier.values()) {
            root.put(k.metricsKey(), k.enabled(c.eval()) ? metrics(run.metrics(k)) : null);
        }
        for (Classifier k : Classifier.values()) {
            root.put(k.matrixKey(), k.enabled(c.eval()) ? matrix(run.matrix(k)) : null);
        }
        root.put("total_seconds", run.seconds());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("train", run.timeSplit().train());
        split.put("evaluate", run.timeSplit().evaluate());
        split.put("checkpoint", run.timeSplit().checkpoint());
        split.put("other", run.timeSplit().other(run.seconds()));
        root.put("time_split", split);
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("pnr_spark", Versions.project());
        versions.put("deeplearning4j", Versions.of(org.deeplearning4j.nn.graph.ComputationGraph.class));
        versions.put("spark", run.sparkVersion());
        versions.put("java", System.getProperty("java.version"));
        root.put("versions", versions);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    /** One point of a curve as written in results.json (and read back by {@link ResultsFile#curvePoint}). */
    public static Map<String, Object> curvePoint(EpochFigures e) {
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("epoch", e.epoch());
        point.put("loss", finite(e.loss()));
        point.put("lr", e.lr());
        point.put("images_per_second", e.imagesPerSecond());
        point.put("seconds", e.seconds());
        Map<String, Object> terms = new LinkedHashMap<>();
        e.terms().forEach((k, v) -> terms.put(k, finite(v)));
        point.put("loss_terms", terms);
        return point;
    }

    /** Row t = after task t, one column per task, then the accuracy on all classes. */
    static String csv(RunResult run, Classifier c) {
        double[][] matrix = run.matrix(c);
        StringBuilder sb = new StringBuilder("after_task");
        int tasks = run.config().scenario().tasks();
        for (int i = 0; i < tasks; i++) sb.append(",task_").append(i);
        sb.append(",all\n");
        for (int r = 0; r < run.tasks().size(); r++) {
            TaskResult t = run.tasks().get(r);
            sb.append(t.task());
            for (double a : matrix[r]) sb.append(',').append(String.format(Locale.ROOT, "%.6f", a));
            sb.append(',').append(String.format(Locale.ROOT, "%.6f", t.evaluation().of(c).all())).append('\n');
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

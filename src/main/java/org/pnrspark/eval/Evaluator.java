package org.pnrspark.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.pnrspark.config.JobConfig;
import org.pnrspark.config.ProbeProtocol;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.Split;
import org.pnrspark.data.TaskSplit;
import org.pnrspark.model.BatchNormFolding;
import org.pnrspark.model.Encoders;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.util.JobDescription;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an encoder after a task (docs/reference.md §8): features of every training and test image on the executors,
 * then the linear probe of the configured protocol and the weighted k-NN, each predicting over all classes; the
 * per-task accuracy is the accuracy on the test images of that task's classes.
 */
public final class Evaluator {
    private final SparkSession spark;
    private final JobConfig config;
    private final ImageAccess imageAccess;
    private final int workers;
    private final List<TaskSplit> tasks;
    private final int trainSize;
    private final int testSize;
    private final int[] testLabels;
    /** The network evaluated last and its test images' features, kept to measure the next task's drift. */
    private ComputationGraph lastEvaluated;
    private FeatureSet lastTestFeatures;

    public Evaluator(SparkSession spark, JobConfig config, ImageAccess imageAccess, int workers,
            List<TaskSplit> tasks, int trainSize, int[] testLabels) {
        this.spark = spark;
        this.config = config;
        this.imageAccess = imageAccess;
        this.workers = workers;
        this.tasks = tasks;
        this.trainSize = trainSize;
        this.testSize = testLabels.length;
        this.testLabels = testLabels;
    }

    /** Evaluates {@code network} with no model before it: the random initialisation, or task 0. */
    public Evaluation evaluate(ComputationGraph network, String stage) {
        return evaluate(network, null, stage);
    }

    /**
     * Evaluates the encoder layers of {@code network} (an online network, or any with the same encoder) and, with
     * {@code eval.feature_drift} on and a {@code previous} network (the model the task started from), how far the
     * test images' features moved from that model's. {@code stage} ("random init", "task 2/5") begins the
     * description of the Spark jobs it starts.
     */
    public Evaluation evaluate(ComputationGraph network, ComputationGraph previous, String stage) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelSnapshot> encoder = sc.broadcast(BatchNormFolding.featureExtractor(config, network));
        JobConfig.Eval eval = config.eval();
        boolean drift = eval.featureDrift();
        int numClasses = config.data().numClasses();
        JavaRDD<FeatureBlock> train = null, test = null;
        try {
            long t0 = System.nanoTime();
            boolean fast = eval.probeProtocol() == ProbeProtocol.FAST;
            boolean probeOnDriver = fast && LinearProbe.onDriver(trainSize,
                    Encoders.featureDim(config.model().encoder()), eval,
                    sc.sc().conf().getSizeAsBytes("spark.driver.maxResultSize", "1g"));
            train = FeatureExtraction.blocks(sc, config, imageAccess, encoder, Split.TRAIN, trainSize, workers);
            test = FeatureExtraction.blocks(sc, config, imageAccess, encoder, Split.TEST, testSize, workers);
            if (fast && !probeOnDriver) {
                // MLlib reads them more than once
                train.persist(StorageLevel.MEMORY_AND_DISK());
                test.persist(StorageLevel.MEMORY_AND_DISK());
            }
            FeatureSet trainSet = null, testSet = null;
            try (JobDescription d = JobDescription.of(sc.sc(), stage + " · evaluation · features")) {
                if (!fast || probeOnDriver || eval.knn().enabled()) {
                    trainSet = FeatureSet.collect(train, trainSize);
                    testSet = FeatureSet.collect(test, testSize);
                } else {
                    train.count();
                    if (drift) testSet = FeatureSet.collect(test, testSize);
                    else test.count();
                }
            }
            long t1 = System.nanoTime();
            int[] predicted;
            try (JobDescription d = JobDescription.of(sc.sc(), stage + " · evaluation · linear probe"
                    + (fast && !probeOnDriver ? " (MLlib)" : ""))) {
                predicted = !fast ? OfflineLinearProbe.predict(trainSet, testSet, numClasses, eval.offline(),
                        offlineLr(), config.run().seed())
                        : probeOnDriver ? LinearProbe.predict(trainSet, testSet, eval)
                        : LinearProbe.predictWithMllib(FeatureExtraction.frame(spark, train),
                        FeatureExtraction.frame(spark, test), testSize, eval);
            }
            long t2 = System.nanoTime();
            Map<Classifier, Evaluation.Scores> scores = new EnumMap<>(Classifier.class);
            scores.put(Classifier.LINEAR, new Evaluation.Scores(Accuracy.perTask(tasks, testLabels, predicted),
                    Accuracy.overall(testLabels, predicted), (t2 - t1) / 1e9));
            int[] neighbours = !Classifier.KNN.enabled(eval) ? null : KnnClassifier.predict(trainSet, testSet,
                    numClasses, eval.knn().k(), eval.knn().temperature());
            long t3 = System.nanoTime();
            scores.put(Classifier.KNN, neighbours == null ? Evaluation.Scores.none(tasks.size())
                    : new Evaluation.Scores(Accuracy.perTask(tasks, testLabels, neighbours),
                            Accuracy.overall(testLabels, neighbours), (t3 - t2) / 1e9));
            FeatureDrift moved = FeatureDrift.none(tasks.size());
            if (drift && previous != null) {
                // the previous evaluation's features are the previous model's, unless the run was resumed since
                FeatureSet before = previous == lastEvaluated ? lastTestFeatures : testFeatures(sc, previous, stage);
                moved = FeatureDrift.between(before, testSet, tasks);
            }
            lastEvaluated = drift ? network : null;
            lastTestFeatures = drift ? testSet : null;
            // the parts add up to the whole: the drift's share is 0 when it was not measured
            long t4 = moved.measured() ? System.nanoTime() : t3;
            moved = moved.withSeconds((t4 - t3) / 1e9);
            return new Evaluation(scores, (t4 - t0) / 1e9, (t1 - t0) / 1e9, moved);
        } finally {
            // MLlib's pass may have failed with the blocks still cached on the executors
            if (train != null) train.unpersist();
            if (test != null) test.unpersist();
            encoder.destroy();
        }
    }

    /** The test images' features under {@code network}, on the executors. */
    private FeatureSet testFeatures(JavaSparkContext sc, ComputationGraph network, String stage) {
        Broadcast<ModelSnapshot> encoder = sc.broadcast(BatchNormFolding.featureExtractor(config, network));
        try (JobDescription d = JobDescription.of(sc.sc(), stage + " · evaluation · features of the previous model")) {
            return FeatureSet.collect(FeatureExtraction.blocks(sc, config, imageAccess, encoder, Split.TEST, testSize,
                    workers), testSize);
        } finally {
            encoder.destroy();
        }
    }

    /** The offline probe's base rate: configured, or the reference's for the method. */
    double offlineLr() {
        double lr = config.eval().offline().lr();
        return lr > 0 ? lr : config.method().kind().referenceProbeLr();
    }
}

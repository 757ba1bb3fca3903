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

    /**
     * Evaluates the encoder layers of {@code network} (an online network, or any with the same encoder); {@code stage}
     * ("random init", "task 2/5") begins the description of the Spark jobs it starts.
     */
    public Evaluation evaluate(ComputationGraph network, String stage) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelSnapshot> encoder = sc.broadcast(BatchNormFolding.featureExtractor(config, network));
        JobConfig.Eval eval = config.eval();
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
                    test.count();
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
            return new Evaluation(scores, (t3 - t0) / 1e9, (t1 - t0) / 1e9);
        } finally {
            // MLlib's pass may have failed with the blocks still cached on the executors
            if (train != null) train.unpersist();
            if (test != null) test.unpersist();
            encoder.destroy();
        }
    }

    /** The offline probe's base rate: configured, or the reference's for the method. */
    double offlineLr() {
        double lr = config.eval().offline().lr();
        return lr > 0 ? lr : config.method().kind().referenceProbeLr();
    }
}

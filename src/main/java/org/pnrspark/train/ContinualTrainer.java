package org.pnrspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.pnrspark.augment.SampleRandom;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.Scenarios;
import org.pnrspark.data.Split;
import org.pnrspark.data.TaskSplit;
import org.pnrspark.eval.Evaluation;
import org.pnrspark.eval.Evaluator;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.report.EpochFigures;
import org.pnrspark.report.ResultsWriter;
import org.pnrspark.report.RunResult;
import org.pnrspark.report.TaskResult;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's task loop (DESIGN.md): for each task, build the online network (carrying over the previous task's
 * parameters by layer name), broadcast the frozen previous model when the strategy needs it, train with parameter
 * averaging on the executors, write the checkpoint, and run the linear probe for row t of the accuracy matrix.
 *
 * <p>Each averaging round is one {@code fitPaths} call over exactly {@code workers x averaging_frequency}
 * minibatches laid out one partition per worker, so that every minibatch of an epoch is trained exactly once and
 * the assignment of minibatches to workers is reproducible.
 */
public final class ContinualTrainer {
    private final JobConfig config;
    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final Storage storage;
    private final String outputDir;
    private final ProgressLog log;
    private final int workers;
    private Evaluation randomInit;

    public ContinualTrainer(JobConfig config, SparkSession spark, String outputDir, ProgressLog log) {
        this.config = config;
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.storage = new Storage(sc.hadoopConfiguration());
        this.outputDir = outputDir;
        this.log = log;
        this.workers = config.spark().workers() > 0 ? config.spark().workers() : sc.defaultParallelism();
    }

    public RunResult run() throws IOException {
        long start = System.nanoTime();
        ImageAccess hadoop = ImageAccess.create(sc);
        ImageSource train = ImageSources.get(config, Split.TRAIN, hadoop.value());
        ImageSource test = ImageSources.get(config, Split.TEST, hadoop.value());
        List<TaskSplit> tasks = Scenarios.split(config, train, test, storage);
        int[] testLabels = test.labels();
        storage.writeString(Storage.child(outputDir, Checkpoints.CONFIG), config.hocon());
        log.line("run %s: %s, %s x %s, %d tasks, %d training / %d test images, %d workers x batch %d, averaging every %d",
                config.run().name(), config.data().dataset().configName(), config.method().name(),
                config.continual().strategy().configName(), tasks.size(), train.size(), test.size(), workers,
                config.spark().batchSizePerWorker(), config.spark().averagingFrequency());
        log.line("output: %s", outputDir);
        String skippedEntries = Scenarios.skippedReport(train, test);
        if (skippedEntries != null) log.line("data: %s", skippedEntries);

        SslMethod method = Methods.of(config);
        Evaluator evaluator = new Evaluator(spark, config, hadoop, workers, tasks, train.size(), testLabels);
        if (config.eval().randomInitBaseline()) {
            // the baseline of forward transfer: the encoder as initialised, before any training
            sc.setJobDescription("evaluation of the randomly initialised encoder");
            randomInit = evaluator.evaluate(Networks.build(method.online(0)));
            logEvaluation("random init", randomInit);
        }
        ComputationGraph previous = null;
        // the momentum target (BYOL, MoCo) starts as a copy of the online network and is carried across tasks
        ComputationGraph momentum = null;
        // MoCo's queues, carried across tasks as the reference loads them from the previous checkpoint
        KeyQueues queues = null;
        if (method.queues(0).isPresent()) {
            SslMethod.QueueSpec spec = method.queues(0).get();
            int global = workers * config.spark().batchSizePerWorker();
            if (spec.size() % global != 0) {
                throw new IllegalArgumentException("mocov2plus.queue_size = " + spec.size() + " must be a multiple of "
                        + "the global batch, spark.workers x spark.batch_size_per_worker = " + workers + " x "
                        + config.spark().batchSizePerWorker() + " = " + global + " (the reference asserts K % B = 0)");
            }
            queues = KeyQueues.initial(spec.dim(), spec.size(), config.run().seed());
        }
        List<TaskResult> results = new ArrayList<>();
        for (TaskSplit task : tasks) {
            int t = task.task();
            ComputationGraph online = Networks.build(method.online(t));
            if (previous != null) Networks.copyParameters(previous, online);
            if (method.momentum().isPresent() && momentum == null) {
                momentum = Networks.build(method.momentum().get().network());
                Networks.copyParameters(online, momentum);
            }
            Broadcast<ModelSnapshot> frozen = method.usesFrozenModel(t)
                    ? sc.broadcast(ModelSnapshot.of(method.frozen(), previous)) : null;
            log.line("task %d/%d: %s, %d images, objective %s", t + 1, tasks.size(), task.description(),
                    task.trainIndices().length, method.describeObjective(t));

            TrainingFigures figures = trainTask(task, tasks.size(), online, frozen, momentum, queues, method, hadoop);
            if (frozen != null) frozen.destroy();

            String taskDir = Checkpoints.taskDir(outputDir, t);
            String sha = Checkpoints.write(storage, taskDir, online, config.hocon());
            if (momentum != null) Checkpoints.writeMomentum(storage, taskDir, momentum);
            if (queues != null) Checkpoints.writeQueues(storage, taskDir, queues);

            Evaluation evaluation = evaluator.evaluate(online);
            logEvaluation(String.format("task %d/%d", t + 1, tasks.size()), evaluation);
            String skipped = hadoop.takeSkipReport();
            if (skipped != null) log.line("task %d/%d: %s", t + 1, tasks.size(), skipped);
            results.add(new TaskResult(t, task.classes(), method.describeObjective(t), task.trainIndices().length,
                    config.optim().epochs(), figures.steps(), figures.finalLoss(), figures.curve(), figures.seconds(),
                    figures.imagesPerSecond(), evaluation, Storage.child(taskDir, Checkpoints.MODEL), sha));
            ResultsWriter.write(result(results, start), storage);
            sc.setJobDescription(null);
            previous = online;
        }
        hadoop.destroy();
        return result(results, start);
    }

    private void logEvaluation(String what, Evaluation e) {
        String knn = Double.isNaN(e.knnAccuracyAll()) ? "" : String.format(java.util.Locale.ROOT,
                ", k-NN %.1f%% %s", 100 * e.knnAccuracyAll(), percentages(e.knnAccuracy()));
        log.line("%s: linear probe %.1f%% on all classes, per task %s%s (features %s, %s probe %s%s)", what,
                100 * e.accuracyAll(), percentages(e.accuracy()), knn, ProgressLog.duration(e.featureSeconds()),
                config.eval().probeProtocol(), ProgressLog.duration(e.probeSeconds()),
                Double.isNaN(e.knnAccuracyAll()) ? "" : ", k-NN " + ProgressLog.duration(e.knnSeconds()));
    }

    private RunResult result(List<TaskResult> results, long start) {
        return new RunResult(config, outputDir, randomInit, List.copyOf(results), (System.nanoTime() - start) / 1e9,
                sc.version(), sc.master(), workers);
    }

    record TrainingFigures(int steps, double finalLoss, List<EpochFigures> curve, double seconds,
            double imagesPerSecond) {}

    /**
     * @param momentum the momentum target, updated on the driver after every averaging round (or null)
     * @param queues   MoCo's queues, updated on the driver after every averaging round (or null)
     */
    private TrainingFigures trainTask(TaskSplit task, int numTasks, ComputationGraph online,
            Broadcast<ModelSnapshot> frozen, ComputationGraph momentum, KeyQueues queues, SslMethod method,
            ImageAccess hadoop) {
        int t = task.task();
        int batch = config.spark().batchSizePerWorker();
        int frequency = config.spark().averagingFrequency();
        int epochs = config.optim().epochs();
        int[] images = task.trainIndices();
        // drop_last as the reference, then whole rounds of one minibatch per worker
        int batchesPerEpoch = images.length / batch / workers * workers;
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("task " + t + " has " + images.length + " training images, fewer than "
                    + "spark.workers x spark.batch_size_per_worker = " + workers + " x " + batch
                    + ": lower the batch size or the number of workers");
        }
        double baseLr = LearningRateSchedule.scaledBaseLr(config.optim(), workers * batch);
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(frequency)
                .saveUpdater(true)
                // no prefetch thread: with one, dl4j-spark's AsyncDataSetIterator hung when the loader ran the
                // frozen model (measured on M2); minibatches are built in the training thread instead
                .workerPrefetchNumBatches(0)
                .repartionData(Repartition.Never)
                .rngSeed(config.run().seed() + t)
                .build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, online, master);
        int perRound = workers * frequency;
        int rounds = (batchesPerEpoch + perRound - 1) / perRound;
        long start = System.nanoTime();
        double lastEpochLoss = Double.NaN;
        List<EpochFigures> curve = new ArrayList<>(epochs);
        int steps = 0;
        int stepsPerEpoch = batchesPerEpoch / workers;
        long totalSteps = (long) stepsPerEpoch * epochs;
        int queueCount = method.queues(t).map(SslMethod.QueueSpec::count).orElse(0);
        LossTermProbe termProbe = new LossTermProbe(config, hadoop, frozen);
        CollectionAccumulator<QueueWrite> queueWrites = queues == null ? null
                : sc.sc().<QueueWrite>collectionAccumulator("queued keys");
        for (int epoch = 0; epoch < epochs; epoch++) {
            long epochStart = System.nanoTime();
            double lr = LearningRateSchedule.apply(sparkNet.getNetwork(), epoch, baseLr, config.optim(),
                    method.distillPredictorLrScale());
            int[] order = SampleRandom.shuffled(images, SampleRandom.forPurpose(config.run().seed(), "shuffle", t, epoch));
            List<String> paths = new ArrayList<>(batchesPerEpoch);
            for (int b = 0; b < batchesPerEpoch; b++) {
                paths.add(new BatchPath(t, epoch, b, Arrays.copyOfRange(order, b * batch, (b + 1) * batch)).encode());
            }
            boolean frozenBatchStatistics = config.continual().frozenBnMode().batchStatistics(epoch);
            double lossSum = 0;
            for (int r = 0; r < rounds; r++) {
                List<String> roundPaths = paths.subList(r * perRound, Math.min(paths.size(), (r + 1) * perRound));
                sc.setJobDescription(String.format("task %d/%d · epoch %d/%d · round %d/%d", t + 1, numTasks,
                        epoch + 1, epochs, r + 1, rounds));
                List<TaskBatchLoader.Target> targets = new ArrayList<>();
                Broadcast<ModelSnapshot> target = momentum == null ? null : sc.broadcast(ModelSnapshot.of(momentum));
                if (target != null) targets.add(new TaskBatchLoader.Target(target, true));
                if (frozen != null) targets.add(new TaskBatchLoader.Target(frozen, frozenBatchStatistics));
                int roundSteps = roundPaths.size() / workers;
                QueueRound queueRound = null;
                if (queues != null) {
                    queueWrites.reset();
                    long[] pointers = new long[queueCount];
                    for (int q = 0; q < queueCount; q++) pointers[q] = queues.pointer(q);
                    queueRound = new QueueRound(sc.broadcast(queues.snapshot(queueCount)), pointers, r * perRound,
                            roundSteps, workers, batch, queueWrites);
                }
                JavaRDD<String> rdd = sc.parallelize(roundPaths, workers);
                sparkNet.fitPaths(rdd, new TaskBatchLoader(config, hadoop, targets, queueRound));
                rdd.unpersist(false);
                if (queueRound != null) {
                    queues.apply(queueWrites.value(), queueCount, queueRound);
                    queueRound.start().destroy();
                }
                if (target != null) {
                    target.destroy();
                    // the reference updates the target after every step; here after every round, with the τ of
                    // each of the round's steps compounded, towards the averaged online parameters
                    double keep = 1;
                    for (int s = 0; s < roundSteps; s++) keep *= method.momentum().get().tau(steps + s, totalSteps);
                    Networks.emaUpdate(momentum, sparkNet.getNetwork(), keep);
                }
                steps += roundSteps;
                double score = sparkNet.getScore();
                if (!Double.isFinite(score)) {
                    throw new TrainingDivergedException(String.format("task %d/%d, epoch %d/%d, round %d/%d: the loss "
                            + "is %s (learning rate %.4g). Checkpoints of earlier tasks in %s are kept; lower optim.lr "
                            + "or check the data.", t + 1, numTasks, epoch + 1, epochs, r + 1, rounds, score, lr, outputDir));
                }
                lossSum += score * roundPaths.size();
            }
            lastEpochLoss = lossSum / batchesPerEpoch;
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double viewsPerSecond = 2.0 * batchesPerEpoch * batch / epochSeconds;
            var terms = termProbe.measure(sparkNet.getNetwork(), BatchPath.decode(paths.get(0)), momentum,
                    frozenBatchStatistics, queues, queueCount);
            curve.add(new EpochFigures(epoch, lastEpochLoss, lr, viewsPerSecond, epochSeconds, terms));
            log.line("task %d/%d · epoch %d/%d · loss %.4f · lr %.4g · %.1f img/s · task ETA %s", t + 1, numTasks,
                    epoch + 1, epochs, lastEpochLoss, lr, viewsPerSecond,
                    ProgressLog.duration(elapsed / (epoch + 1) * (epochs - epoch - 1)));
        }
        sc.setJobDescription(null);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainingFigures(steps, lastEpochLoss, curve, seconds, 2.0 * batchesPerEpoch * batch * epochs / seconds);
    }

    private static String percentages(double[] row) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < row.length; i++) {
            if (i > 0) sb.append(' ');
            sb.append(String.format(java.util.Locale.ROOT, "%.1f", 100 * row[i]));
        }
        return sb.append(']').toString();
    }
}

package org.pnrspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
import org.pnrspark.eval.Classifier;
import org.pnrspark.eval.Evaluation;
import org.pnrspark.eval.FeatureDrift;
import org.pnrspark.eval.Evaluator;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.report.EpochFigures;
import org.pnrspark.report.ResultsWriter;
import org.pnrspark.report.RunResult;
import org.pnrspark.report.TaskResult;
import org.pnrspark.report.TimeSplit;
import org.pnrspark.util.JobDescription;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's task loop (docs/design.md): for each task, build the online network (carrying over the previous task's
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
    /** Seconds spent by earlier attempts of a resumed run. */
    private double priorSeconds;
    /** The train, evaluate and checkpoint parts of priorSeconds and of this attempt's time; the rest is other. */
    private TimeSplit timeSplit = TimeSplit.NONE;
    private RunProgress progress;
    /** A finished run of the same configuration but the strategy, whose task 0 this run starts from, or null. */
    private String task0From;
    /** The lock this job holds on the output directory, checked before every checkpoint, or null. */
    private OutputLock lock;

    public ContinualTrainer(JobConfig config, SparkSession spark, String outputDir, ProgressLog log) {
        this.config = config;
        this.spark = spark;
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.storage = new Storage(sc.hadoopConfiguration());
        this.outputDir = outputDir;
        this.log = log;
        this.workers = TrainingPath.workers(config, sc);
    }

    /**
     * Starts a fresh run from task 0 of {@code runDir}, a run of the same configuration under another strategy:
     * task 0 trains the method's own objective under every strategy, so its checkpoint, row and random-init
     * evaluation are the same (the reference's {@code *_load_task0.sh} scripts reuse it the same way).
     */
    public ContinualTrainer sharingTask0Of(String runDir) {
        this.task0From = runDir;
        return this;
    }

    /** Checks before every checkpoint that the job still holds {@code lock}, its output directory's. */
    public ContinualTrainer holding(OutputLock lock) {
        this.lock = lock;
        return this;
    }

    private void checkLock() {
        if (lock != null) lock.ensureHeld();
    }

    public RunResult run() throws IOException {
        long start = System.nanoTime();
        ImageAccess imageAccess = ImageAccess.create(sc);
        ImageSource train = ImageSources.get(config, Split.TRAIN, imageAccess.value());
        ImageSource test = ImageSources.get(config, Split.TEST, imageAccess.value());
        List<TaskSplit> tasks = Scenarios.split(config, train, test, storage);
        int[] testLabels = test.labels();
        // with the workers Spark reports, before anything in the output directory is written or removed
        RunChecks.check(config, tasks, workers);
        // --force starts over once per application: a restarted driver (a new attempt) resumes what it began
        String application = sc.sc().applicationId();
        boolean startOver = config.output().overwrite() && !RunDirectory.startedOverBy(storage, outputDir, application);
        if (startOver) RunDirectory.startOver(storage, outputDir, application);
        boolean resuming = !startOver && RunDirectory.checkResumable(config, storage, false);
        log.line("run %s: %s, %s x %s, %d tasks, %d training / %d test images, %d workers x batch %d, averaging every %d",
                config.run().name(), config.data().dataset().configName(), config.method().name(),
                config.continual().strategy().configName(), tasks.size(), train.size(), test.size(), workers,
                config.spark().batchSizePerWorker(), config.spark().averagingFrequency());
        log.line("output: %s", org.pnrspark.config.Redaction.uri(outputDir));
        String skippedEntries = Scenarios.skippedReport(train, test);
        if (skippedEntries != null) log.line("data: %s", skippedEntries);

        SslMethod method = Methods.of(config);
        storage.writeString(Storage.child(outputDir, Checkpoints.CONFIG), config.hocon());
        // what earlier attempts finished: loaded and verified before anything is trained
        ResumeState resume = new ResumeState(config, storage, outputDir, workers, log);
        ResumeState.Finished finished = resuming ? resume.finished(outputDir, method, tasks.size(), tasks.size())
                : ResumeState.Finished.NONE;
        if (finished.results().isEmpty() && task0From != null && tasks.size() > 1 && !method.usesFrozenModel(0)) {
            finished = resume.adoptTask0(task0From, method, tasks.size(), sc.version(), sc.master());
        }
        priorSeconds = finished.seconds();
        timeSplit = finished.timeSplit();
        List<TaskResult> results = new ArrayList<>(finished.results());
        randomInit = finished.randomInit();
        ComputationGraph previous = finished.previous();
        // the momentum target (BYOL, MoCo) starts as a copy of the online network and is carried across tasks
        ComputationGraph momentum = finished.momentum();
        // MoCo's queues, carried across tasks as the reference loads them from the previous checkpoint
        KeyQueues queues = finished.queues();
        if (queues == null && method.queues(0).isPresent()) {
            SslMethod.QueueSpec spec = method.queues(0).get();
            queues = KeyQueues.initial(spec.dim(), spec.size(), config.run().seed());
        }
        Evaluator evaluator = new Evaluator(spark, config, imageAccess, workers, tasks, train.size(), testLabels);
        if (randomInit == null && results.isEmpty() && config.eval().randomInitBaseline()) {
            // the baseline of forward transfer: the encoder as initialised, before any training
            randomInit = evaluator.evaluate(Networks.build(method.online(0)), "random init");
            timeSplit = timeSplit.plusEvaluate(randomInit.seconds());
            logEvaluation("random init", -1, randomInit);
        }
        progress = new RunProgress(tasks.size(), config.optim().epochs());
        boolean kernelsLogged = false;
        for (TaskSplit task : tasks.subList(results.size(), tasks.size())) {
            int t = task.task();
            String taskDir = Checkpoints.taskDir(outputDir, t);
            ComputationGraph online = Networks.build(method.online(t));
            if (!kernelsLogged) log.line("kernels: %s", org.pnrspark.model.NativeKernels.describe(online));
            kernelsLogged = true;
            if (previous != null) Networks.copyParameters(previous, online);
            if (method.momentum().isPresent() && momentum == null) {
                momentum = Networks.build(method.momentum().get().network());
                Networks.copyParameters(online, momentum);
            }
            // only a run being resumed reads epoch checkpoints: never another run's leftovers
            EpochCheckpoint resumeFrom = !resuming ? null : EpochCheckpoint.latest(storage, taskDir, workers,
                    method.online(t), method.momentum().map(SslMethod.MomentumTarget::network).orElse(null),
                    queues == null ? null : method.queues(t).get()).orElse(null);
            if (resumeFrom != null) {
                online = resumeFrom.online();
                if (resumeFrom.momentum() != null) momentum = resumeFrom.momentum();
                if (resumeFrom.queues() != null) queues = resumeFrom.queues();
                log.line("task %d/%d: resuming after epoch %d/%d from %s", t + 1, tasks.size(),
                        resumeFrom.epochsDone(), config.optim().epochs(), EpochCheckpoint.dir(taskDir, resumeFrom.epochsDone()));
            }
            ModelSnapshot frozenModel = method.usesFrozenModel(t) ? ModelSnapshot.of(method.frozen(), previous) : null;
            Broadcast<ModelSnapshot> frozen = frozenModel == null ? null : sc.broadcast(frozenModel);
            log.line("task %d/%d: %s, %d images, objective %s", t + 1, tasks.size(), task.description(),
                    task.trainIndices().length, method.describeObjective(t));

            TrainingFigures figures = trainTask(task, tasks.size(), online, frozen, momentum, queues, method, imageAccess,
                    resumeFrom);
            if (frozen != null) frozen.destroy();

            String stage = String.format("task %d/%d", t + 1, tasks.size());
            checkLock();
            String sha;
            long checkpointStart = System.nanoTime();
            try (JobDescription d = JobDescription.of(sc.sc(), stage + " · checkpoint")) {
                sha = Checkpoints.write(storage, taskDir, online, config.hocon());
                if (momentum != null) Checkpoints.writeMomentum(storage, taskDir, momentum);
                if (queues != null) Checkpoints.writeQueues(storage, taskDir, queues);
            }
            double checkpointSeconds = (System.nanoTime() - checkpointStart) / 1e9;

            Evaluation evaluation = evaluator.evaluate(online, previous, stage);
            timeSplit = timeSplit.plusTrain(figures.sessionSeconds()).plusCheckpoint(checkpointSeconds)
                    .plusEvaluate(evaluation.seconds());
            logEvaluation(stage, t, evaluation);
            String skipped = imageAccess.takeSkipReport();
            if (skipped != null) log.line("task %d/%d: %s", t + 1, tasks.size(), skipped);
            results.add(new TaskResult(t, task.classes(), method.describeObjective(t), task.trainIndices().length,
                    config.optim().epochs(), figures.steps(), figures.finalLoss(), figures.curve(), figures.seconds(),
                    figures.imagesPerSecond(), evaluation, Storage.child(taskDir, Checkpoints.MODEL), sha,
                    checkpointSeconds, frozenModel == null ? null : frozenModel.parametersSha256()));
            ResultsWriter.write(result(results, start), storage);
            // the task's row is written: its epoch checkpoints are no longer needed to resume
            EpochCheckpoint.clear(storage, taskDir);
            sc.setJobDescription(null);
            previous = online;
        }
        if (!results.isEmpty() && results.size() == finished.results().size()) {
            // a run found finished is made whole: results files and the last task's epoch checkpoints may be
            // what an attempt stopped in the middle of (a task trained here wrote both already)
            ResultsWriter.write(result(results, start), storage);
            EpochCheckpoint.clear(storage, Checkpoints.taskDir(outputDir, results.size() - 1));
        }
        imageAccess.destroy();
        return result(results, start);
    }

    private void logEvaluation(String what, int task, Evaluation e) {
        Evaluation.Scores linear = e.of(Classifier.LINEAR), k = e.of(Classifier.KNN);
        String knn = Double.isNaN(k.all()) ? "" : String.format(java.util.Locale.ROOT,
                ", k-NN %.1f%% %s", 100 * k.all(), percentages(k.perTask()));
        log.line("%s: linear probe %.1f%% on all classes, per task %s%s (features %s, %s probe %s%s)", what,
                100 * linear.all(), percentages(linear.perTask()), knn, part(e.featureSeconds()),
                config.eval().probeProtocol().configName(), part(linear.seconds()),
                Double.isNaN(k.all()) ? "" : ", k-NN " + part(k.seconds()));
        FeatureDrift d = e.drift();
        if (task >= 0 && Double.isFinite(d.previousTask(task, false))) {
            log.line("%s: features moved from the previous model's by cosine distance %.4f on task %d's test images "
                    + "(%.4f on all), CKA distance %.4f (%.4f)", what, d.previousTask(task, false), task - 1,
                    d.cosineAll(), d.previousTask(task, true), d.ckaAll());
        }
    }

    /** A part of an evaluation's time: in tenths of a second below 10 s. */
    private static String part(double seconds) {
        return seconds < 10 ? String.format(java.util.Locale.ROOT, "%.1fs", seconds) : ProgressLog.duration(seconds);
    }

    private RunResult result(List<TaskResult> results, long start) {
        return new RunResult(config, outputDir, randomInit, List.copyOf(results),
                priorSeconds + (System.nanoTime() - start) / 1e9, timeSplit, sc.version(), sc.master(), workers);
    }

    /**
     * @param seconds        the task's training time, epochs trained by an earlier attempt included
     * @param sessionSeconds the part of it spent by this attempt (earlier attempts' epochs are not in total_seconds)
     */
    record TrainingFigures(int steps, double finalLoss, List<EpochFigures> curve, double seconds,
            double sessionSeconds, double imagesPerSecond) {}

    /**
     * @param momentum   the momentum target, updated on the driver after every averaging round (or null)
     * @param queues     MoCo's queues, updated on the driver after every averaging round (or null)
     * @param resumeFrom the epoch checkpoint this task continues from (or null): its state is already in online,
     *                   momentum and queues, its epochs are not trained again
     */
    private TrainingFigures trainTask(TaskSplit task, int numTasks, ComputationGraph online,
            Broadcast<ModelSnapshot> frozen, ComputationGraph momentum, KeyQueues queues, SslMethod method,
            ImageAccess imageAccess, EpochCheckpoint resumeFrom) throws IOException {
        int t = task.task();
        int batch = config.spark().batchSizePerWorker();
        int frequency = config.spark().averagingFrequency();
        int epochs = config.optim().epochs();
        int[] images = task.trainIndices();
        // drop_last as the reference, then whole rounds of one minibatch per worker
        int batchesPerEpoch = images.length / batch / workers * workers;
        // at least one minibatch per worker: RunChecks.check refused the run before anything was written otherwise
        double baseLr = LearningRateSchedule.scaledBaseLr(config.optim(), workers * batch);
        ParameterAveragingTrainingMaster master = TrainingPath.master(config, workers, config.run().seed() + t, false);
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, online, master);
        int perRound = workers * frequency;
        int rounds = (batchesPerEpoch + perRound - 1) / perRound;
        long start = System.nanoTime();
        int firstEpoch = resumeFrom == null ? 0 : resumeFrom.epochsDone();
        double priorTaskSeconds = resumeFrom == null ? 0 : resumeFrom.seconds();
        List<EpochFigures> curve = new ArrayList<>(resumeFrom == null ? List.of() : resumeFrom.curve());
        double lastEpochLoss = curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1).loss();
        int steps = resumeFrom == null ? 0 : resumeFrom.steps();
        int stepsPerEpoch = batchesPerEpoch / workers;
        long totalSteps = (long) stepsPerEpoch * epochs;
        int queueCount = method.queues(t).map(SslMethod.QueueSpec::count).orElse(0);
        LossTermProbe termProbe = new LossTermProbe(config, imageAccess, frozen);
        AveragingRound round = new AveragingRound(sc, config, imageAccess, sparkNet, t, workers, frozen, momentum,
                method.momentum().orElse(null), totalSteps, queues, queueCount);
        progress.startTask(t, firstEpoch);
        for (int epoch = firstEpoch; epoch < epochs; epoch++) {
            long epochStart = System.nanoTime();
            double lr = LearningRateSchedule.apply(sparkNet.getNetwork(), epoch, baseLr, config.optim(),
                    method.distillHeadLrScale());
            int[] order = SampleRandom.shuffled(images, SampleRandom.forPurpose(config.run().seed(), "shuffle", t, epoch));
            List<String> paths = new ArrayList<>(batchesPerEpoch);
            for (int b = 0; b < batchesPerEpoch; b++) {
                paths.add(new BatchPath(t, epoch, b, Arrays.copyOfRange(order, b * batch, (b + 1) * batch)).encode());
            }
            boolean frozenBatchStatistics = config.continual().frozenBnMode().batchStatistics(epoch);
            double lossSum = 0;
            for (int r = 0; r < rounds; r++) {
                long roundStart = System.nanoTime();
                int first = r * perRound;
                List<String> roundPaths = paths.subList(first, Math.min(paths.size(), (r + 1) * perRound));
                sc.setJobDescription(String.format("task %d/%d · epoch %d/%d · round %d/%d", t + 1, numTasks,
                        epoch + 1, epochs, r + 1, rounds));
                int roundSteps = roundPaths.size() / workers;
                double score = round.run(epoch, r, roundPaths, first, frozenBatchStatistics, steps);
                steps += roundSteps;
                if (!Double.isFinite(score)) {
                    throw new TrainingDivergedException(String.format("task %d/%d, epoch %d/%d, round %d/%d: the loss "
                            + "is %s (learning rate %.4g). Nothing of this epoch was saved; %s. Lower optim.lr or "
                            + "check the data (a changed configuration needs a new output.dir or --force).",
                            t + 1, numTasks, epoch + 1, epochs, r + 1, rounds, score, lr, lastGood(t, epoch)));
                }
                lossSum += score * roundPaths.size();
                double roundSeconds = (System.nanoTime() - roundStart) / 1e9;
                progress.round(log, t, epoch, r, rounds, score, 2.0 * roundPaths.size() * batch / roundSeconds);
            }
            lastEpochLoss = lossSum / batchesPerEpoch;
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            double viewsPerSecond = 2.0 * batchesPerEpoch * batch / epochSeconds;
            var terms = termProbe.measure(sparkNet.getNetwork(), BatchPath.decode(paths.get(0)), momentum,
                    frozenBatchStatistics, queues, queueCount);
            curve.add(new EpochFigures(epoch, lastEpochLoss, lr, viewsPerSecond, epochSeconds, terms));
            progress.epochDone(epochSeconds);
            log.line("task %d/%d · epoch %d/%d · loss %.4f · lr %.4g · %.1f img/s · task ETA %s · run ETA %s", t + 1,
                    numTasks, epoch + 1, epochs, lastEpochLoss, lr, viewsPerSecond,
                    ProgressLog.duration(progress.taskEtaSeconds()), ProgressLog.duration(progress.runEtaSeconds()));
            int every = config.checkpoint().everyEpochs();
            if (every > 0 && ((epoch + 1) % every == 0 || epoch + 1 == epochs)) {
                checkLock();
                new EpochCheckpoint(workers, epoch + 1, steps, priorTaskSeconds + (System.nanoTime() - start) / 1e9,
                        List.copyOf(curve), sparkNet.getNetwork(), momentum, queues)
                        .write(storage, Checkpoints.taskDir(outputDir, t));
            }
        }
        sc.setJobDescription(null);
        double trainedSeconds = (System.nanoTime() - start) / 1e9;
        int trainedEpochs = epochs - firstEpoch;
        double imagesPerSecond = trainedEpochs == 0 ? curve.get(curve.size() - 1).imagesPerSecond()
                : 2.0 * batchesPerEpoch * batch * trainedEpochs / trainedSeconds;
        return new TrainingFigures(steps, lastEpochLoss, curve, priorTaskSeconds + trainedSeconds, trainedSeconds,
                imagesPerSecond);
    }

    /** Where a re-run would continue from after a failure in this task and epoch. */
    private String lastGood(int task, int epoch) {
        int every = config.checkpoint().everyEpochs();
        int saved = every == 0 ? 0 : epoch / every * every;
        if (saved > 0) return "the last good checkpoint is " + EpochCheckpoint.dir(Checkpoints.taskDir(outputDir, task), saved);
        return task == 0 ? "no task has finished yet" : "the last good checkpoint is " + Checkpoints.taskDir(outputDir, task - 1);
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

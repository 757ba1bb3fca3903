package org.pnrspark.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.pnrspark.config.JobConfig;
import org.pnrspark.eval.Evaluation;
import org.pnrspark.method.SslMethod;
import org.pnrspark.report.ResultsFile;
import org.pnrspark.report.ResultsWriter;
import org.pnrspark.report.RunResult;
import org.pnrspark.report.TaskResult;
import org.pnrspark.report.TimeSplit;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.List;

/**
 * What a run starts from when it is not new: the tasks earlier attempts finished (their rows in results.json and the
 * verified checkpoint of the last one), or task 0 of a finished run of the same configuration under another
 * strategy. Epoch checkpoints inside a task are {@link EpochCheckpoint}'s.
 */
final class ResumeState {
    private final JobConfig config;
    private final Storage storage;
    private final String outputDir;
    private final int workers;
    private final ProgressLog log;

    ResumeState(JobConfig config, Storage storage, String outputDir, int workers, ProgressLog log) {
        this.config = config;
        this.storage = storage;
        this.outputDir = outputDir;
        this.workers = workers;
        this.log = log;
    }

    /** What earlier attempts of a run finished, with the state the next task starts from. */
    record Finished(List<TaskResult> results, Evaluation randomInit, double seconds, TimeSplit timeSplit,
            ComputationGraph previous, ComputationGraph momentum, KeyQueues queues) {
        static final Finished NONE = new Finished(List.of(), null, 0, TimeSplit.NONE, null, null, null);
    }

    /**
     * Reads the first {@code upTo} finished rows of the run in {@code runDir} and the checkpoint (verified) of the
     * last of them: the state the next task starts from.
     */
    Finished finished(String runDir, SslMethod method, int numTasks, int upTo) throws IOException {
        if (!storage.exists(Storage.child(runDir, ResultsWriter.RESULTS_JSON))) {
            log.line("resuming: no task of this run was finished in %s", runDir);
            return Finished.NONE;
        }
        ResultsFile.Finished read = ResultsFile.read(storage, runDir).finished();
        RunDirectory.checkWorkers(read.workers(), workers, Storage.child(runDir, ResultsWriter.RESULTS_JSON));
        List<TaskResult> rows = read.tasks().subList(0, Math.min(upTo, read.tasks().size()));
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).task() != i || i >= numTasks) {
                throw new CheckpointException(Storage.child(runDir, ResultsWriter.RESULTS_JSON) + ": row " + i
                        + " is task " + rows.get(i).task() + ", expected tasks 0.." + (numTasks - 1) + " in order");
            }
        }
        if (rows.isEmpty()) {
            return new Finished(rows, read.randomInit(), read.seconds(), read.timeSplit(), null, null, null);
        }
        int last = rows.size() - 1;
        String dir = Checkpoints.taskDir(runDir, last);
        ComputationGraph previous = Checkpoints.readModel(storage, Storage.child(dir, Checkpoints.MODEL),
                method.online(last), false);
        ComputationGraph momentum = method.momentum().isPresent() ? Checkpoints.readModel(storage,
                Storage.child(dir, Checkpoints.MOMENTUM), method.momentum().get().network(), false) : null;
        KeyQueues queues = method.queues(0).isPresent() ? Checkpoints.readQueues(storage, dir, method.queues(0).get()) : null;
        if (runDir.equals(outputDir)) {
            log.line("resuming: task%s %s finished in %s (not retrained)%s", rows.size() > 1 ? "s" : "",
                    rows.size() > 1 ? "1-" + rows.size() : "1", outputDir, rows.size() == numTasks
                            ? "; nothing left to train" : "; next: task " + (rows.size() + 1) + "/" + numTasks);
        }
        return new Finished(List.copyOf(rows), read.randomInit(), read.seconds(), read.timeSplit(), previous,
                momentum, queues);
    }

    /**
     * Task 0 of the run in {@code from}, written into this run's directory as if trained here: its checkpoint
     * (model, momentum target, queues), its row and the random-init evaluation.
     */
    Finished adoptTask0(String from, SslMethod method, int numTasks, String sparkVersion, String master)
            throws IOException {
        Finished other = finished(from, method, numTasks, 1);
        if (other.results().isEmpty()) return Finished.NONE;
        String taskDir = Checkpoints.taskDir(outputDir, 0);
        // the checkpoint as it was written, optimizer state included
        ComputationGraph model = Checkpoints.readModel(storage, Storage.child(Checkpoints.taskDir(from, 0),
                Checkpoints.MODEL), method.online(0), true);
        String sha = Checkpoints.write(storage, taskDir, model, config.hocon());
        if (other.momentum() != null) Checkpoints.writeMomentum(storage, taskDir, other.momentum());
        if (other.queues() != null) Checkpoints.writeQueues(storage, taskDir, other.queues());
        TaskResult row = other.results().get(0);
        TaskResult adopted = new TaskResult(row.task(), row.classes(), row.objective(), row.trainImages(), row.epochs(),
                row.steps(), row.finalLoss(), row.curve(), row.trainSeconds(), row.imagesPerSecond(), row.evaluation(),
                Storage.child(taskDir, Checkpoints.MODEL), sha, row.checkpointSeconds(), row.frozenModelSha256());
        log.line("task 1/%d: the same as in %s (task 0 trains %s under every strategy): its checkpoint and results "
                + "are reused, not retrained", numTasks, from, method.describeObjective(0));
        // the other run's time is not this run's: its task 0 counts neither in total_seconds nor in any part
        Finished finished = new Finished(List.of(adopted), other.randomInit(), 0, TimeSplit.NONE, other.previous(),
                other.momentum(), other.queues());
        ResultsWriter.write(new RunResult(config, outputDir, finished.randomInit(), finished.results(), 0,
                TimeSplit.NONE, sparkVersion, master, workers), storage);
        return finished;
    }
}

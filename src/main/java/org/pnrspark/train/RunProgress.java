package org.pnrspark.train;

/**
 * The driver's estimate of the time left, from the epochs trained in this process: per task and for the whole run
 * (training only; each task's evaluation comes on top). Long epochs also get a line per averaging round, at most
 * every {@link #ROUND_LINE_SECONDS} seconds, so that a run on ImageNet-sized tasks shows life between epochs.
 */
final class RunProgress {
    static final double ROUND_LINE_SECONDS = 30;
    private final int tasks;
    private final int epochs;
    private int task;
    private int epochsDoneInTask;
    private int epochsTimed;
    private double secondsTimed;
    private long lastLine = System.nanoTime();

    RunProgress(int tasks, int epochs) {
        this.tasks = tasks;
        this.epochs = epochs;
    }

    void startTask(int task, int epochsDone) {
        this.task = task;
        this.epochsDoneInTask = epochsDone;
        lastLine = System.nanoTime();
    }

    void epochDone(double seconds) {
        epochsDoneInTask++;
        epochsTimed++;
        secondsTimed += seconds;
        lastLine = System.nanoTime();
    }

    private double secondsPerEpoch() {
        return epochsTimed == 0 ? Double.NaN : secondsTimed / epochsTimed;
    }

    double taskEtaSeconds() {
        return secondsPerEpoch() * (epochs - epochsDoneInTask);
    }

    double runEtaSeconds() {
        return secondsPerEpoch() * ((long) (tasks - task - 1) * epochs + epochs - epochsDoneInTask);
    }

    /** After each averaging round: a line with the round's loss and throughput if the last line is old enough. */
    void round(ProgressLog log, int t, int epoch, int r, int rounds, double loss, double imagesPerSecond) {
        if ((System.nanoTime() - lastLine) / 1e9 < ROUND_LINE_SECONDS || r + 1 == rounds) return;
        lastLine = System.nanoTime();
        log.line("task %d/%d · epoch %d/%d · round %d/%d · loss %.4f · %.1f img/s", t + 1, tasks, epoch + 1, epochs,
                r + 1, rounds, loss, imagesPerSecond);
    }
}

package org.pnrspark.report;

/**
 * Where a run's wall time ({@code total_seconds}) went: training, evaluating, writing task checkpoints, and the rest
 * (Spark session start, data loading, broadcasts of the frozen model, writing results). Like {@code total_seconds},
 * the parts count the time of this run's own sessions: a resumed run adds to the parts it resumed from.
 */
public record TimeSplit(double train, double evaluate, double checkpoint) {
    /** Nothing measured: a new run, or earlier sessions whose parts are unknown (their time is then other's). */
    public static final TimeSplit NONE = new TimeSplit(0, 0, 0);

    public TimeSplit plusTrain(double seconds) {
        return new TimeSplit(train + seconds, evaluate, checkpoint);
    }

    public TimeSplit plusEvaluate(double seconds) {
        return new TimeSplit(train, evaluate + seconds, checkpoint);
    }

    public TimeSplit plusCheckpoint(double seconds) {
        return new TimeSplit(train, evaluate, checkpoint + seconds);
    }

    /** The rest of {@code totalSeconds}; never negative, as the parts are measured within it. */
    public double other(double totalSeconds) {
        return Math.max(0, totalSeconds - train - evaluate - checkpoint);
    }
}

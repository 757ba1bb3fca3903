package org.pnrspark.train;

/** The loss became NaN or infinite: training of the task stops; earlier checkpoints are kept. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}

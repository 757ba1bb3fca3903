package org.pnrspark.train;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.Serializable;

/**
 * MoCo's queues during one averaging round, as the minibatch loader on a worker uses them (see {@link KeyQueues}):
 * the queues at the start of the round, where each queue's next keys go, and how the round's minibatches are laid
 * out (worker w trains minibatches firstBatch + w·stepsPerWorker ... in order).
 *
 * <p>Each worker thread keeps its own copy of the queues for the round. For every minibatch it hands the loss the
 * copy as it is before the minibatch (the reference's pre-batch clone), then writes the minibatch's keys into it and
 * reports them to the driver through {@code writes}.
 */
public record QueueRound(Broadcast<INDArray[]> start, long[] pointers, int firstBatch, int stepsPerWorker,
        int workers, int batchSize, CollectionAccumulator<QueueWrite> writes) implements Serializable {

    private record WorkerCopy(long broadcastId, int worker, int nextStep, INDArray[] queues) {}

    private static final ThreadLocal<WorkerCopy> COPY = new ThreadLocal<>();

    /**
     * The labels of minibatch {@code batch}: the targets' outputs side by side, then the queues as they are before
     * the minibatch ([B, 2·D·K/B] per queue, row-major). Then the minibatch's keys are enqueued: the outputs of
     * target q ([B, 2D], view 1 then view 2, L2-normalised) into queue q.
     */
    INDArray labelsThenEnqueue(int batch, INDArray... targets) {
        int local = batch - firstBatch;
        if (local < 0 || local >= stepsPerWorker * workers) {
            throw new IllegalStateException("minibatch " + batch + " is not part of this round");
        }
        int worker = local / stepsPerWorker;
        int step = local % stepsPerWorker;
        WorkerCopy copy = COPY.get();
        if (step == 0) {
            INDArray[] fresh = start.value();
            INDArray[] queues = new INDArray[fresh.length];
            for (int q = 0; q < fresh.length; q++) queues[q] = fresh[q].dup('c');
            copy = new WorkerCopy(start.id(), worker, 0, queues);
        } else if (copy == null || copy.broadcastId() != start.id() || copy.worker() != worker
                || copy.nextStep() != step) {
            throw new IllegalStateException("minibatch " + batch + " (worker " + worker + ", step " + step
                    + ") reached the loader out of order");
        }
        INDArray[] queues = copy.queues();
        if (targets.length < queues.length) {
            throw new IllegalArgumentException(targets.length + " key sets for " + queues.length + " queues");
        }
        // one copy of the pre-batch queues, straight into the labels (the reshapes are views of the copies)
        INDArray[] parts = java.util.Arrays.copyOf(targets, targets.length + queues.length);
        for (int q = 0; q < queues.length; q++) parts[targets.length + q] = queues[q].reshape('c', batchSize, -1);
        INDArray labels = Nd4j.hstack(parts);
        int dim = (int) queues[0].size(1);
        long size = queues[0].size(2);
        for (int q = 0; q < queues.length; q++) {
            int position = step * workers + worker;
            long slot = (pointers[q] + (long) position * batchSize) % size;
            float[] view1 = Nd4j.toFlattened('c', targets[q].get(NDArrayIndex.all(), NDArrayIndex.interval(0, dim)))
                    .toFloatVector();
            float[] view2 = Nd4j.toFlattened('c', targets[q].get(NDArrayIndex.all(), NDArrayIndex.interval(dim, 2 * dim)))
                    .toFloatVector();
            KeyQueues.enqueue(queues[q], slot, view1, view2, batchSize, dim);
            writes.add(new QueueWrite(q, position, slot, view1, view2));
        }
        // the last minibatch of the worker's round lets go of the copy (it may be large)
        if (step + 1 == stepsPerWorker) COPY.remove();
        else COPY.set(new WorkerCopy(copy.broadcastId(), worker, step + 1, queues));
        return labels;
    }
}

package org.pnrspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.pnrspark.testutil.SparkTestSession;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MoCo's queues: initialisation, the per-worker copies of a round, the driver's merge, the checkpoint format. */
class KeyQueuesTest {
    private static final int DIM = 4, SIZE = 12, BATCH = 3, WORKERS = 2, STEPS = 2;

    /** Column k of view v of a (2, D, K) queue. */
    static INDArray column(INDArray queue, int v, long k) {
        return queue.get(NDArrayIndex.point(v), NDArrayIndex.all(), NDArrayIndex.point(k));
    }

    /** [B, 2D] random keys, each half of each row normalised. */
    static INDArray keys(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray k = Nd4j.randn(DataType.FLOAT, BATCH, 2 * DIM);
        for (int v = 0; v < 2; v++) {
            INDArray half = k.get(NDArrayIndex.all(), NDArrayIndex.interval(v * DIM, (v + 1) * DIM));
            half.diviColumnVector(half.norm2(1).reshape(BATCH, 1));
        }
        return k;
    }

    @Test
    void initialQueuesAreSeededUnitColumns() {
        KeyQueues a = KeyQueues.initial(DIM, SIZE, 5);
        for (int q = 0; q < 2; q++) {
            assertEquals(List.of(2L, (long) DIM, (long) SIZE), List.of(a.queue(q).shape()[0], a.queue(q).shape()[1],
                    a.queue(q).shape()[2]));
            INDArray norms = a.queue(q).norm2(1);
            assertTrue(norms.sub(1).amaxNumber().doubleValue() < 1e-6, "unit columns: " + norms);
        }
        assertEquals(a.queue(0), KeyQueues.initial(DIM, SIZE, 5).queue(0));
        assertNotEquals(a.queue(0), a.queue(1));
        assertNotEquals(a.queue(0), KeyQueues.initial(DIM, SIZE, 6).queue(0));
    }

    @Test
    void workersEnqueueIntoTheirCopyAndTheDriverMergesAtTheSynchronousSlots() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        KeyQueues queues = KeyQueues.initial(DIM, SIZE, 5);
        INDArray before = queues.queue(0).dup();
        Broadcast<INDArray[]> start = sc.broadcast(queues.snapshot(1));
        CollectionAccumulator<QueueWrite> writes = sc.sc().collectionAccumulator("test writes");
        int firstBatch = 10;
        QueueRound round = new QueueRound(start, new long[] {0}, firstBatch, STEPS, WORKERS, BATCH, writes);

        // worker w trains minibatches firstBatch + w * STEPS + s, s = 0, 1
        List<INDArray> keys = new ArrayList<>();
        List<INDArray> labels = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            for (int s = 0; s < STEPS; s++) {
                INDArray k = keys(100 + w * STEPS + s);
                keys.add(k);
                // the labels are the keys (the targets' outputs), then the pre-batch queue
                INDArray all = round.labelsThenEnqueue(firstBatch + w * STEPS + s, k);
                labels.add(all.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * DIM, all.size(1))));
            }
        }
        // the loss sees the queue before the minibatch: the round's start, plus the worker's own earlier keys only
        assertEquals(before.reshape('c', BATCH, -1), labels.get(0));
        assertEquals(before.reshape('c', BATCH, -1), labels.get(STEPS), "worker 1 starts from the round's queue");
        INDArray afterFirst = labels.get(1).reshape('c', 2, DIM, SIZE);
        for (int i = 0; i < BATCH; i++) {
            // worker 0, step 0 wrote slot (0 * WORKERS + 0) * BATCH + i
            assertEquals(keys.get(0).get(NDArrayIndex.point(i), NDArrayIndex.interval(0, DIM)), column(afterFirst, 0, i));
            assertEquals(keys.get(0).get(NDArrayIndex.point(i), NDArrayIndex.interval(DIM, 2 * DIM)),
                    column(afterFirst, 1, i));
        }
        assertEquals(before.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(BATCH, SIZE)),
                afterFirst.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(BATCH, SIZE)));

        assertEquals(WORKERS * STEPS, writes.value().size());
        queues.apply(writes.value(), 1, round);
        // after the round: worker w's step-s keys at slot (s * WORKERS + w) * BATCH, every column a real unit key
        for (int w = 0; w < WORKERS; w++) {
            for (int s = 0; s < STEPS; s++) {
                INDArray k = keys.get(w * STEPS + s);
                for (int i = 0; i < BATCH; i++) {
                    long slot = (long) (s * WORKERS + w) * BATCH + i;
                    for (int v = 0; v < 2; v++) {
                        assertEquals(k.get(NDArrayIndex.point(i), NDArrayIndex.interval(v * DIM, (v + 1) * DIM)),
                                column(queues.queue(0), v, slot), "view " + v + " slot " + slot);
                    }
                }
            }
        }
        assertEquals(0, queues.pointer(0), "the pointer went once around the 12 slots");
        assertEquals(KeyQueues.initial(DIM, SIZE, 5).queue(1), queues.queue(1), "the frozen-key queue is untouched");
        start.destroy();
    }

    @Test
    void aRoundWithMoreKeysThanTheQueueKeepsTheLatestKeysOfEverySlot() {
        // 3 steps x 2 workers x 3 keys = 18 keys into 12 slots: positions 4 and 5 (step 2) overwrite positions 0 and 1
        int steps = 3;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        KeyQueues queues = KeyQueues.initial(DIM, SIZE, 5);
        Broadcast<INDArray[]> start = sc.broadcast(queues.snapshot(1));
        CollectionAccumulator<QueueWrite> writes = sc.sc().collectionAccumulator("test writes");
        QueueRound round = new QueueRound(start, new long[] {0}, 0, steps, WORKERS, BATCH, writes);
        INDArray[][] keys = new INDArray[WORKERS][steps];
        for (int w = 0; w < WORKERS; w++) {
            for (int s = 0; s < steps; s++) {
                keys[w][s] = keys(200 + w * steps + s);
                round.labelsThenEnqueue(w * steps + s, keys[w][s]);
            }
        }
        // in reverse: the driver must order them itself (the accumulator's order is Spark's)
        List<QueueWrite> reversed = new ArrayList<>(writes.value());
        java.util.Collections.reverse(reversed);
        queues.apply(reversed, 1, round);
        for (int slot = 0; slot < SIZE; slot++) {
            int position = slot / BATCH + (slot / BATCH < 2 ? 2 * WORKERS : 0); // the last position to write the slot
            INDArray k = keys[position % WORKERS][position / WORKERS];
            for (int v = 0; v < 2; v++) {
                assertEquals(k.get(NDArrayIndex.point(slot % BATCH), NDArrayIndex.interval(v * DIM, (v + 1) * DIM)),
                        column(queues.queue(0), v, slot), "view " + v + " slot " + slot);
            }
        }
        assertEquals(6, queues.pointer(0), "18 keys advance the pointer by 18 mod 12");
        start.destroy();
    }

    @Test
    void outOfOrderMinibatchesAndLostKeysAreErrors() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        KeyQueues queues = KeyQueues.initial(DIM, SIZE, 5);
        Broadcast<INDArray[]> start = sc.broadcast(queues.snapshot(1));
        CollectionAccumulator<QueueWrite> writes = sc.sc().collectionAccumulator("test writes");
        QueueRound round = new QueueRound(start, new long[] {0}, 0, STEPS, WORKERS, BATCH, writes);
        assertThrows(IllegalStateException.class, () -> round.labelsThenEnqueue(1, keys(1)), "step 1 before step 0");
        round.labelsThenEnqueue(0, keys(1));
        round.labelsThenEnqueue(1, keys(2));
        IllegalStateException lost = assertThrows(IllegalStateException.class,
                () -> queues.apply(writes.value(), 1, round));
        assertTrue(lost.getMessage().contains("2 of the round's 4 minibatches"), lost.getMessage());
        start.destroy();
    }

    @Test
    void checkpointFormatRoundTripsAndRejectsOtherFiles() throws IOException {
        KeyQueues queues = KeyQueues.initial(DIM, SIZE, 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        queues.write(out);
        KeyQueues back = KeyQueues.read(new ByteArrayInputStream(out.toByteArray()), "queues.bin");
        for (int q = 0; q < 2; q++) {
            assertEquals(queues.queue(q), back.queue(q));
            assertEquals(queues.pointer(q), back.pointer(q));
        }
        IOException e = assertThrows(IOException.class,
                () -> KeyQueues.read(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), "x/queues.bin"));
        assertTrue(e.getMessage().contains("x/queues.bin"), e.getMessage());
    }
}

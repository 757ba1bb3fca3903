package org.pnrspark.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.pnrspark.augment.SampleRandom;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The driver's copy of MoCo's queues (docs/reference.md §3.2, §5.2): queue 0 holds the momentum target's keys, queue 1
 * the frozen previous model's keys (PNR). Each is a (2, D, K) array, one D × K slice per view, with its own write
 * pointer; both start as N(0, 1) columns normalised to unit length and are carried across tasks.
 *
 * <p>How the queues live on Spark: the driver keeps the queues and ships them to the workers at the start of every
 * averaging round ({@link QueueRound}). Each worker then enqueues its own keys into its copy as it goes, at the
 * slots a synchronous data-parallel run would give them (step-major, then worker, B keys each), and sends the
 * keys back; after the round the driver writes every worker's keys into its copy, so that at every round boundary the
 * queues equal the reference's gathered queues. Within a round a worker does not see the other workers' keys of that
 * round (their slots still hold the oldest keys). The queues are never part of the averaged parameters.
 */
public final class KeyQueues {
    private static final int MAGIC = 0x504E5251; // "PNRQ"
    private static final int VERSION = 1;

    private final INDArray[] queues;
    private final long[] pointers;

    private KeyQueues(INDArray[] queues, long[] pointers) {
        this.queues = queues;
        this.pointers = pointers;
    }

    /** Both queues, random unit columns drawn from the seed (the reference: randn, then normalised along D). */
    public static KeyQueues initial(int dim, int size, long seed) {
        INDArray[] queues = new INDArray[2];
        for (int q = 0; q < 2; q++) {
            SplittableRandom rng = SampleRandom.forPurpose(seed, "queue", q, 0);
            float[] values = new float[2 * dim * size];
            for (int v = 0; v < 2; v++) {
                for (int k = 0; k < size; k++) {
                    double norm = 0;
                    double[] column = new double[dim];
                    for (int d = 0; d < dim; d++) {
                        column[d] = rng.nextGaussian();
                        norm += column[d] * column[d];
                    }
                    norm = Math.max(Math.sqrt(norm), 1e-12);
                    for (int d = 0; d < dim; d++) values[(v * dim + d) * size + k] = (float) (column[d] / norm);
                }
            }
            queues[q] = Nd4j.create(values, new long[] {2, dim, size}, 'c');
        }
        return new KeyQueues(queues, new long[2]);
    }

    public int dim() {
        return (int) queues[0].size(1);
    }

    public int size() {
        return (int) queues[0].size(2);
    }

    /** Queue q (0 momentum keys, 1 frozen keys), (2, D, K); a view, not a copy. */
    public INDArray queue(int q) {
        return queues[q];
    }

    public long pointer(int q) {
        return pointers[q];
    }

    /** Copies of the first {@code count} queues, as a round ships them. */
    INDArray[] snapshot(int count) {
        INDArray[] copies = new INDArray[count];
        for (int q = 0; q < count; q++) copies[q] = queues[q].dup('c');
        return copies;
    }

    /**
     * Applies the keys the workers enqueued during a round and advances the pointers of the first {@code count}
     * queues by the round's keys. The writes go in in the round's synchronous order, so that where the round holds
     * more keys than a queue (5 steps x 2 workers x 128 keys into 1,024 slots) the later keys win, as in the
     * reference. Fails unless every minibatch of the round reported its keys.
     */
    void apply(Collection<QueueWrite> writes, int count, QueueRound round) {
        int batch = round.batchSize();
        int perQueue = round.stepsPerWorker() * round.workers();
        boolean[][] written = new boolean[count][perQueue];
        List<QueueWrite> ordered = new ArrayList<>(writes);
        ordered.sort(Comparator.comparingInt(QueueWrite::position));
        for (QueueWrite w : ordered) {
            if (w.queue() >= count) throw new IllegalStateException("a worker wrote to queue " + w.queue());
            if (w.position() < 0 || w.position() >= perQueue) {
                throw new IllegalStateException("queue " + w.queue() + ": keys of minibatch " + w.position()
                        + " of a round of " + perQueue);
            }
            written[w.queue()][w.position()] = true;
            enqueue(queues[w.queue()], w.slot(), w.view1(), w.view2(), batch, dim());
        }
        for (int q = 0; q < count; q++) {
            for (int i = 0; i < perQueue; i++) {
                if (!written[q][i]) {
                    throw new IllegalStateException("queue " + q + ": the keys of " + (perQueue - countTrue(written[q]))
                            + " of the round's " + perQueue + " minibatches did not reach the driver");
                }
            }
            pointers[q] = (pointers[q] + (long) perQueue * batch) % size();
        }
    }

    private static int countTrue(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) if (f) n++;
        return n;
    }

    /** Writes B keys per view ([B, D] row-major each) as the columns slot .. slot + B - 1 of a (2, D, K) queue. */
    static void enqueue(INDArray queue, long slot, float[] view1, float[] view2, int batch, int dim) {
        float[][] views = {view1, view2};
        for (int v = 0; v < 2; v++) {
            INDArray keys = Nd4j.create(views[v], new long[] {batch, dim}, 'c');
            queue.get(NDArrayIndex.point(v), NDArrayIndex.all(), NDArrayIndex.interval(slot, slot + batch))
                    .assign(keys.transpose());
        }
    }

    /** The queues and pointers in a small binary format (ND4J's array encoding; no Java serialisation). */
    public void write(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(queues.length);
        for (int q = 0; q < queues.length; q++) {
            data.writeLong(pointers[q]);
            Nd4j.write(queues[q], data);
        }
        data.flush();
    }

    /** Reads what {@link #write} wrote; {@code source} names the file in errors. */
    public static KeyQueues read(InputStream in, String source) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) throw new IOException(source + " is not a queue file");
        int version = data.readInt();
        if (version != VERSION) throw new IOException(source + ": queue file version " + version + ", expected " + VERSION);
        int count = data.readInt();
        if (count != 2) throw new IOException(source + ": " + count + " queues, expected 2");
        INDArray[] queues = new INDArray[count];
        long[] pointers = new long[count];
        for (int q = 0; q < count; q++) {
            pointers[q] = data.readLong();
            queues[q] = Nd4j.read(data);
            if (queues[q].rank() != 3 || queues[q].size(0) != 2 || !Arrays.equals(queues[q].shape(), queues[0].shape())
                    || queues[q].dataType() != DataType.FLOAT || pointers[q] < 0 || pointers[q] >= queues[q].size(2)) {
                throw new IOException(source + ": queue " + q + " has shape " + Arrays.toString(queues[q].shape())
                        + " and pointer " + pointers[q] + "; expected (2, D, K) float32 like queue 0, pointer < K");
            }
        }
        return new KeyQueues(queues, pointers);
    }
}

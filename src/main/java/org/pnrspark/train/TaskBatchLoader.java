package org.pnrspark.train;

import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.augment.SampleRandom;
import org.pnrspark.augment.ViewAugmenter;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.BadImageException;
import org.pnrspark.image.DecodedImage;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.PermutedPixelsScenario;
import org.pnrspark.data.Split;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.ThreadLocalModels;
import org.pnrspark.util.NativeThreads;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a training minibatch on the executor from its {@link BatchPath}: reads the images (from the JVM's cached
 * copy of a small dataset, or the image files of the minibatch), augments each twice with a random stream keyed by
 * (seed, task, epoch, image), shuffles the views' pixels under scenario.type = permuted-pixels (task t's order, from
 * task 1 on), stacks the two views on the channel axis, and runs the broadcast target networks on the same views to
 * produce the labels: the momentum target's projections [zm1 | zm2] (BYOL), then the frozen previous model's
 * [f1 | f2] (from task 1 on), then MoCo's queues as they are before the minibatch ({@link QueueRound}). Without targets
 * the labels are one zero column.
 */
public final class TaskBatchLoader implements DataSetLoader {
    private static final ThreadLocalModels[] TARGET_NETWORKS = {new ThreadLocalModels(), new ThreadLocalModels()};

    /**
     * A network whose outputs on the views become labels.
     *
     * @param batchStatistics whether it normalises with batch statistics (train-mode batch norm)
     */
    public record Target(Broadcast<ModelSnapshot> model, boolean batchStatistics) implements java.io.Serializable {}

    private final JobConfig config;
    private final ImageAccess imageAccess;
    private final List<Target> targets;
    private final QueueRound queues;
    private final InjectedFaults faults;
    private org.apache.spark.util.LongAccumulator dataNanos;
    private org.apache.spark.util.LongAccumulator teacherNanos;
    private transient ViewAugmenter[] augmenters;
    // permuted-pixels: the pixel order of the task this loader built its last minibatch for (one order per task)
    private transient TaskOrder lastOrder;

    private record TaskOrder(int task, int[] order) {}

    /** @param targets at most two networks whose outputs, in this order, form the labels */
    public TaskBatchLoader(JobConfig config, ImageAccess imageAccess, List<Target> targets) {
        this(config, imageAccess, targets, null);
    }

    /**
     * @param queues MoCo's queues for this round (or null): queue q holds the outputs of target q, and the queues
     *               before each minibatch follow the targets' outputs in the labels
     */
    public TaskBatchLoader(JobConfig config, ImageAccess imageAccess, List<Target> targets, QueueRound queues) {
        this(config, imageAccess, targets, queues, InjectedFaults.NONE);
    }

    /** @param faults the faults to inject into this round's minibatches (fault.* keys; none unless set) */
    public TaskBatchLoader(JobConfig config, ImageAccess imageAccess, List<Target> targets, QueueRound queues,
            InjectedFaults faults) {
        if (targets.size() > TARGET_NETWORKS.length) throw new IllegalArgumentException("at most two target networks");
        this.config = config;
        this.imageAccess = imageAccess;
        this.targets = List.copyOf(targets);
        this.queues = queues;
        this.faults = faults;
    }

    /**
     * Minibatches (by index in the epoch) at which a fault is injected on purpose: the first attempt of the Spark
     * task loading {@code failBatch} throws, and the inputs of {@code nanBatch} are NaN. -1 = none.
     */
    public record InjectedFaults(int failBatch, int nanBatch) implements java.io.Serializable {
        public static final InjectedFaults NONE = new InjectedFaults(-1, -1);
    }

    /**
     * Adds the nanoseconds spent building each minibatch (all of it, and running the target networks) to the
     * accumulators: the bench's time split of a round.
     */
    public TaskBatchLoader timedBy(org.apache.spark.util.LongAccumulator data, org.apache.spark.util.LongAccumulator teacher) {
        this.dataNanos = data;
        this.teacherNanos = teacher;
        return this;
    }

    /** Thrown on purpose by fault.fail_attempt. */
    public static final class InjectedFailure extends RuntimeException {
        InjectedFailure(String message) {
            super(message);
        }
    }

    @Override
    public DataSet load(Source source) {
        long start = System.nanoTime();
        DataSet batch = build(source);
        if (dataNanos != null) dataNanos.add(System.nanoTime() - start);
        return batch;
    }

    private DataSet build(Source source) {
        NativeThreads.applyForSparkTask(config.spark().threadsPerTask());
        BatchPath batch = BatchPath.decode(source.getPath());
        if (batch.batch() == faults.failBatch()) {
            org.apache.spark.TaskContext context = org.apache.spark.TaskContext.get();
            if (context == null || context.attemptNumber() == 0) {
                throw new InjectedFailure(String.format("fault.fail_attempt: attempt %d of the Spark task loading "
                        + "minibatch %d of task %d, epoch %d fails on purpose",
                        context == null ? 0 : context.attemptNumber(), batch.batch(), batch.task(), batch.epoch()));
            }
        }
        INDArray views = views(batch);
        if (batch.batch() == faults.nanBatch()) views.assign(Double.NaN);
        if (targets.isEmpty()) return new DataSet(views, Nd4j.zeros(DataType.FLOAT, batch.indices().length, 1));
        INDArray[] outputs = new INDArray[targets.size()];
        long teacherStart = System.nanoTime();
        for (int i = 0; i < outputs.length; i++) {
            Target target = targets.get(i);
            ComputationGraph net = TARGET_NETWORKS[i].get(target.model().id(), () -> target.model().value().build());
            outputs[i] = net.outputSingle(target.batchStatistics(), views).detach();
        }
        if (teacherNanos != null) teacherNanos.add(System.nanoTime() - teacherStart);
        if (queues != null) return new DataSet(views, queues.labelsThenEnqueue(batch.batch(), outputs));
        return new DataSet(views, outputs.length == 1 ? outputs[0] : Nd4j.hstack(outputs));
    }

    /** [N, 2C, H, W]: the two augmented views of each image, view 1's channels first. */
    INDArray views(BatchPath batch) {
        ImageSource images = ImageSources.get(config, Split.TRAIN, imageAccess.value());
        int c = config.data().channels(), h = config.data().height(), w = config.data().width();
        int viewSize = c * h * w;
        if (augmenters == null) {
            JobConfig.Augment a = config.augment();
            augmenters = new ViewAugmenter[] {
                    new ViewAugmenter(a.view1(), a.mean(), a.std(), c, h, w),
                    new ViewAugmenter(a.view2(), a.mean(), a.std(), c, h, w)};
        }
        int[] indices = batch.indices();
        float[] features = new float[indices.length * 2 * viewSize];
        int[] shuffle = config.scenario().type().shufflesPixels() ? pixelOrder(batch.task(), h * w) : null;
        float[] scratch = shuffle == null ? null : new float[h * w];
        for (int k = 0; k < indices.length; k++) {
            DecodedImage image = readOrSubstitute(images, indices, k);
            SplittableRandom rng = SampleRandom.forSample(config.run().seed(), batch.task(), batch.epoch(), indices[k]);
            augmenters[0].apply(image.pixels(), image.height(), image.width(), rng, features, (2 * k) * viewSize);
            augmenters[1].apply(image.pixels(), image.height(), image.width(), rng, features, (2 * k + 1) * viewSize);
            if (shuffle != null) {
                // after augmenting: the crop and the flip act on the image as it is, the shuffle on the whole view
                PermutedPixelsScenario.shuffle(features, (2 * k) * viewSize, c, shuffle, scratch);
                PermutedPixelsScenario.shuffle(features, (2 * k + 1) * viewSize, c, shuffle, scratch);
            }
        }
        return Nd4j.create(features, new long[] {indices.length, 2L * c, h, w}, 'c');
    }

    /** Task t's pixel order under permuted-pixels (null for task 0), drawn once per task, not per minibatch. */
    private int[] pixelOrder(int task, int pixels) {
        TaskOrder last = lastOrder;
        if (last == null || last.task() != task) {
            last = new TaskOrder(task, PermutedPixelsScenario.pixelOrder(task, pixels, config.scenario().splitSeed()));
            lastOrder = last;
        }
        return last.order();
    }

    /**
     * Image k of the minibatch; under data.bad_images = skip an unreadable one is counted and replaced by the next
     * readable image of the minibatch, so that the minibatch keeps its size (MoCo's queue slots depend on it).
     */
    private DecodedImage readOrSubstitute(ImageSource images, int[] indices, int k) {
        for (int attempt = 0; attempt < indices.length; attempt++) {
            int i = indices[(k + attempt) % indices.length];
            try {
                return images.read(i);
            } catch (BadImageException e) {
                if (!config.data().images().skipBad() || !config.data().dataset().imageFiles()) throw e;
                if (attempt == 0) imageAccess.skipped(e);
            }
        }
        throw new BadImageException("minibatch " + batch(indices), "none of its " + indices.length
                + " images can be read (data.bad_images = skip needs at least one)");
    }

    private static String batch(int[] indices) {
        return java.util.Arrays.toString(java.util.Arrays.copyOf(indices, Math.min(8, indices.length)))
                + (indices.length > 8 ? "..." : "");
    }
}

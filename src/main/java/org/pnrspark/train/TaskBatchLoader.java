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
import org.pnrspark.data.ImageSet;
import org.pnrspark.data.ImageSetCache;
import org.pnrspark.data.Split;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.ThreadLocalModels;
import org.pnrspark.util.HadoopConf;
import org.pnrspark.util.NativeThreads;

import java.util.SplittableRandom;

/**
 * Builds a training minibatch on the executor from its {@link BatchPath}: reads the images (from the JVM's cached
 * copy of the dataset), augments each twice with a random stream keyed by (seed, task, epoch, image), stacks the
 * two views on the channel axis, and, from task 1 on, runs the broadcast frozen previous model on the same views
 * to produce the labels (its projections [f1 | f2]). Without a frozen model the labels are one zero column.
 */
public final class TaskBatchLoader implements DataSetLoader {
    private static final ThreadLocalModels FROZEN = new ThreadLocalModels();

    private final JobConfig config;
    private final Broadcast<HadoopConf> hadoop;
    private final Broadcast<ModelSnapshot> frozen;
    private final boolean frozenBatchStatistics;
    private transient ViewAugmenter[] augmenters;
    private transient float[] image;

    /**
     * @param frozen                the frozen previous model, or null when the task's objective needs none
     * @param frozenBatchStatistics whether the frozen model normalises with batch statistics this epoch
     */
    public TaskBatchLoader(JobConfig config, Broadcast<HadoopConf> hadoop, Broadcast<ModelSnapshot> frozen,
            boolean frozenBatchStatistics) {
        this.config = config;
        this.hadoop = hadoop;
        this.frozen = frozen;
        this.frozenBatchStatistics = frozenBatchStatistics;
    }

    @Override
    public DataSet load(Source source) {
        NativeThreads.applyForSparkTask(config.spark().threadsPerTask());
        BatchPath batch = BatchPath.decode(source.getPath());
        INDArray views = views(batch);
        INDArray labels;
        if (frozen == null) {
            labels = Nd4j.zeros(DataType.FLOAT, batch.indices().length, 1);
        } else {
            ComputationGraph net = FROZEN.get(frozen.id(), () -> frozen.value().build());
            labels = net.outputSingle(frozenBatchStatistics, views).detach();
        }
        return new DataSet(views, labels);
    }

    /** [N, 2C, H, W]: the two augmented views of each image, view 1's channels first. */
    INDArray views(BatchPath batch) {
        ImageSet images = ImageSetCache.get(config.data(), Split.TRAIN, hadoop.value());
        int c = images.channels(), h = images.height(), w = images.width();
        int viewSize = c * h * w;
        if (augmenters == null) {
            JobConfig.Augment a = config.augment();
            augmenters = new ViewAugmenter[] {
                    new ViewAugmenter(a.view1(), a.mean(), a.std(), c, h, w),
                    new ViewAugmenter(a.view2(), a.mean(), a.std(), c, h, w)};
            image = new float[viewSize];
        }
        int[] indices = batch.indices();
        float[] features = new float[indices.length * 2 * viewSize];
        for (int k = 0; k < indices.length; k++) {
            images.copyImage(indices[k], image, 0);
            SplittableRandom rng = SampleRandom.forSample(config.run().seed(), batch.task(), batch.epoch(), indices[k]);
            augmenters[0].apply(image, rng, features, (2 * k) * viewSize);
            augmenters[1].apply(image, rng, features, (2 * k + 1) * viewSize);
        }
        return Nd4j.create(features, new long[] {indices.length, 2L * c, h, w}, 'c');
    }
}

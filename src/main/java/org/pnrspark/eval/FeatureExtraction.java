package org.pnrspark.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.augment.EvalTransform;
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

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Frozen-encoder features of a whole split, computed on the executors (each reads the images, applies the
 * evaluation transform — normalisation, and for image files resize and centre crop — shuffles the pixels of the
 * images of a shuffled domain under scenario.type = permuted-pixels, and runs the broadcast encoder in inference
 * mode). Under data.bad_images = skip an unreadable image is counted and evaluated as a blank image, so
 * that every index keeps its row. The result is one {@link FeatureBlock} per minibatch, float32 as the encoder
 * computes them: collected by the driver in a few array copies ({@link FeatureSet#collect}), or turned into the
 * (index, label, features) DataFrame MLlib reads ({@link #frame}) when the probe runs there.
 */
public final class FeatureExtraction {
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add("label", DataTypes.DoubleType, false)
            .add("features", SQLDataTypes.VectorType(), false);

    private FeatureExtraction() {}

    /** The features of images 0..size-1 of the split, one block per minibatch of eval.batch_size. */
    public static JavaRDD<FeatureBlock> blocks(JavaSparkContext sc, JobConfig config, ImageAccess imageAccess,
            Broadcast<ModelSnapshot> encoder, Split split, int size, int partitions) {
        int batch = config.eval().batchSize();
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s < size; s += batch) starts.add(s);
        return sc.parallelize(starts, Math.max(1, Math.min(partitions, starts.size())))
                .mapPartitions(new ExtractPartition(config, imageAccess, encoder, split, size));
    }

    /** The blocks as an (index, label, features) DataFrame, the features as float64 vectors: what MLlib reads. */
    public static Dataset<Row> frame(SparkSession spark, JavaRDD<FeatureBlock> blocks) {
        JavaRDD<Row> rows = blocks.flatMap(b -> {
            List<Row> out = new ArrayList<>(b.count());
            for (int k = 0; k < b.count(); k++) {
                double[] v = new double[b.dim()];
                for (int d = 0; d < v.length; d++) v[d] = b.features()[k * v.length + d];
                out.add(RowFactory.create(b.start() + k, (double) b.labels()[k], Vectors.dense(v)));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** Runs on an executor: the features of the minibatches starting at the given indices. */
    private static final class ExtractPartition implements FlatMapFunction<Iterator<Integer>, FeatureBlock> {
        private static final ThreadLocalModels ENCODERS = new ThreadLocalModels();
        private final JobConfig config;
        private final ImageAccess imageAccess;
        private final Broadcast<ModelSnapshot> encoder;
        private final Split split;
        private final int size;

        ExtractPartition(JobConfig config, ImageAccess imageAccess, Broadcast<ModelSnapshot> encoder,
                Split split, int size) {
            this.config = config;
            this.imageAccess = imageAccess;
            this.encoder = encoder;
            this.split = split;
            this.size = size;
        }

        @Override
        public Iterator<FeatureBlock> call(Iterator<Integer> starts) {
            NativeThreads.applyForSparkTask(config.spark().threadsPerTask());
            ImageSource images = ImageSources.get(config, split, imageAccess.value());
            ComputationGraph net = ENCODERS.get(encoder.id(), () -> encoder.value().build());
            int c = config.data().channels(), h = config.data().height(), w = config.data().width(), n = c * h * w;
            EvalTransform transform = new EvalTransform(config.data(), config.augment());
            JobConfig.Scenario scenario = config.scenario();
            // permuted pixels: every image seen as its domain shows it (the same parts and orders as the driver's)
            int[] domain = scenario.type().shufflesPixels() ? PermutedPixelsScenario.domains(images.size(),
                    scenario.tasks(), scenario.splitSeed(), split == Split.TEST) : null;
            int[][] orders = domain == null ? null
                    : PermutedPixelsScenario.pixelOrders(scenario.tasks(), h * w, scenario.splitSeed());
            float[] scratch = domain == null ? null : new float[h * w];
            List<FeatureBlock> out = new ArrayList<>();
            while (starts.hasNext()) {
                int start = starts.next();
                int count = Math.min(config.eval().batchSize(), size - start);
                float[] batch = new float[count * n];
                int[] labels = new int[count];
                for (int k = 0; k < count; k++) {
                    DecodedImage image = read(images, start + k);
                    if (image != null) transform.apply(image, batch, k * n);
                    int[] order = domain == null ? null : orders[domain[start + k]];
                    if (order != null) PermutedPixelsScenario.shuffle(batch, k * n, c, order, scratch);
                    labels[k] = images.label(start + k);
                }
                INDArray features = net.outputSingle(false, Nd4j.create(batch, new long[] {count, c, h, w}, 'c'));
                out.add(new FeatureBlock(start, labels, features.castTo(DataType.FLOAT).dup('c').data().asFloat()));
            }
            return out.iterator();
        }

        /** Image i, or null (a blank, all-zero input) if it is unreadable and bad images are skipped. */
        private DecodedImage read(ImageSource images, int i) {
            try {
                return images.read(i);
            } catch (BadImageException e) {
                if (!config.data().images().skipBad() || !config.data().dataset().imageFiles()) throw e;
                imageAccess.skipped(e);
                return null;
            }
        }
    }
}

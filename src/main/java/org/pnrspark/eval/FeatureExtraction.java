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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.augment.ViewAugmenter;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageSet;
import org.pnrspark.data.ImageSetCache;
import org.pnrspark.data.Split;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.ThreadLocalModels;
import org.pnrspark.util.HadoopConf;
import org.pnrspark.util.NativeThreads;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Frozen-encoder features of a whole split, computed on the executors (each reads the images from its own
 * cached copy of the dataset, normalises them without augmentation and runs the broadcast encoder in inference
 * mode). The result is a DataFrame (index, label, features) for Spark MLlib.
 */
public final class FeatureExtraction {
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add("label", DataTypes.DoubleType, false)
            .add("features", SQLDataTypes.VectorType(), false);

    private FeatureExtraction() {}

    public static Dataset<Row> features(SparkSession spark, JobConfig config, Broadcast<HadoopConf> hadoop,
            Broadcast<ModelSnapshot> encoder, Split split, int size, int partitions) {
        int batch = config.eval().batchSize();
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s < size; s += batch) starts.add(s);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rows = sc.parallelize(starts, Math.max(1, Math.min(partitions, starts.size())))
                .mapPartitions(new ExtractPartition(config, hadoop, encoder, split, size));
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** Runs on an executor: the features of the minibatches starting at the given indices. */
    private static final class ExtractPartition implements FlatMapFunction<Iterator<Integer>, Row> {
        private static final ThreadLocalModels ENCODERS = new ThreadLocalModels();
        private final JobConfig config;
        private final Broadcast<HadoopConf> hadoop;
        private final Broadcast<ModelSnapshot> encoder;
        private final Split split;
        private final int size;

        ExtractPartition(JobConfig config, Broadcast<HadoopConf> hadoop, Broadcast<ModelSnapshot> encoder,
                Split split, int size) {
            this.config = config;
            this.hadoop = hadoop;
            this.encoder = encoder;
            this.split = split;
            this.size = size;
        }

        @Override
        public Iterator<Row> call(Iterator<Integer> starts) {
            NativeThreads.applyForSparkTask(config.spark().threadsPerTask());
            ImageSet images = ImageSetCache.get(config.data(), split, hadoop.value());
            ComputationGraph net = ENCODERS.get(encoder.id(), () -> encoder.value().build());
            int c = images.channels(), h = images.height(), w = images.width(), plane = h * w, n = c * plane;
            float[] image = new float[n];
            List<Row> out = new ArrayList<>();
            while (starts.hasNext()) {
                int start = starts.next();
                int count = Math.min(config.eval().batchSize(), size - start);
                float[] batch = new float[count * n];
                for (int k = 0; k < count; k++) {
                    images.copyImage(start + k, image, 0);
                    ViewAugmenter.normalize(image, c, plane, config.augment().mean(), config.augment().std(), batch, k * n);
                }
                INDArray features = net.outputSingle(false, Nd4j.create(batch, new long[] {count, c, h, w}, 'c'));
                double[][] rows = features.toDoubleMatrix();
                for (int k = 0; k < count; k++) {
                    out.add(RowFactory.create(start + k, (double) images.label(start + k), Vectors.dense(rows[k])));
                }
            }
            return out.iterator();
        }
    }
}

package org.pnrspark.train;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arrays and the objects of an averaging round survive Spark's Kryo with pnr-spark's registrator, bit for bit. */
class SparkKryoTest {
    private static final SerializerInstance KRYO = new KryoSerializer(new SparkConf()
            .set("spark.kryo.registrator", SparkKryo.REGISTRATOR)
            .set("spark.kryo.registrationRequired", "false")).newInstance();

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value, Class<?> type) {
        ClassTag<T> tag = (ClassTag<T>) ClassTag$.MODULE$.apply(type);
        ByteBuffer bytes = KRYO.serialize(value, tag);
        return KRYO.deserialize(bytes, tag);
    }

    private static void assertSameArray(INDArray expected, INDArray actual) {
        if (!expected.isEmpty()) assertNotSame(expected, actual); // ND4J shares its empty arrays
        assertEquals(expected.dataType(), actual.dataType());
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(expected, actual);
        if (expected.dataType().isFPType() && expected.length() > 0) {
            assertArrayEquals(expected.castTo(DataType.DOUBLE).dup('c').data().asDouble(),
                    actual.castTo(DataType.DOUBLE).dup('c').data().asDouble(), 0.0);
        }
    }

    @Test
    void arraysOfEveryShapeAndTypeRoundTrip() {
        Nd4j.getRandom().setSeed(3);
        List<INDArray> arrays = new ArrayList<>();
        for (DataType t : List.of(DataType.FLOAT, DataType.DOUBLE, DataType.HALF, DataType.INT, DataType.LONG,
                DataType.BOOL, DataType.UBYTE)) {
            INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 5, 7).mul(100);
            arrays.add(t == DataType.BOOL ? x.gt(50) : x.castTo(t));
        }
        INDArray m = Nd4j.rand(DataType.FLOAT, 40, 30);
        arrays.add(m.get(NDArrayIndex.interval(5, 25), NDArrayIndex.interval(3, 9))); // a view with an offset
        arrays.add(m.transpose()); // Fortran order
        arrays.add(m.dup('f'));
        arrays.add(Nd4j.scalar(DataType.FLOAT, 2.5f));
        arrays.add(Nd4j.empty(DataType.FLOAT));
        arrays.add(Nd4j.rand(DataType.FLOAT, 3, (1 << 20) / 3 + 11)); // more than one 1 MiB chunk
        for (INDArray a : arrays) assertSameArray(a, roundTrip(a, INDArray.class));
    }

    @Test
    void bulkBytesAreTheArrayAndLittleMore() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 1000, 100);
        int size = KRYO.serialize(a, ClassTag$.MODULE$.apply(INDArray.class)).remaining();
        assertTrue(size >= 400_000 && size < 400_000 + 64, "serialised size " + size);
    }

    @Test
    void theObjectsOfAnAveragingRoundRoundTrip() {
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 12345);
        INDArray updater = Nd4j.rand(DataType.FLOAT, 1, 24690);
        var result = new ParameterAveragingTrainingResult(params, updater, 0.75, null, null, null);
        ParameterAveragingTrainingResult back = roundTrip(result, ParameterAveragingTrainingResult.class);
        assertSameArray(params, back.getParameters());
        assertSameArray(updater, back.getUpdaterState());
        assertEquals(0.75, back.getScore());

        var tuple = new NetBroadcastTuple((ComputationGraphConfiguration) null, params, updater);
        NetBroadcastTuple t = roundTrip(tuple, NetBroadcastTuple.class);
        assertSameArray(params, t.getParameters());
        assertSameArray(updater, t.getUpdaterState());

        INDArray[] queues = {Nd4j.rand(DataType.FLOAT, 128, 16), Nd4j.rand(DataType.FLOAT, 128, 16)};
        INDArray[] q = roundTrip(queues, INDArray[].class);
        assertSameArray(queues[0], q[0]);
        assertSameArray(queues[1], q[1]);
    }

    @Test
    void theHadoopConfigurationReachesExecutorsWhole() {
        // a broadcast value is read back through Kryo only in an executor JVM of its own (local mode keeps the
        // object): the configuration is a transient field that only its own serializer writes
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);
        conf.set("fs.defaultFS", "hdfs://namenode:8020");
        conf.set("dfs.client.use.datanode.hostname", "true");
        org.pnrspark.util.HadoopConf back = roundTrip(new org.pnrspark.util.HadoopConf(conf),
                org.pnrspark.util.HadoopConf.class);
        assertEquals("hdfs://namenode:8020", back.get().get("fs.defaultFS"));
        assertEquals("true", back.get().get("dfs.client.use.datanode.hostname"));
    }
}

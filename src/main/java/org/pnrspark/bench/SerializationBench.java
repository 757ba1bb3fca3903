package org.pnrspark.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.Networks;
import org.pnrspark.train.SparkKryo;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --serialization}: what an averaging round pays to serialise a network's state. dl4j-spark writes the
 * parameters and the optimizer state once for the round's broadcast and once per worker for its result, through
 * Spark's Kryo. Times writing and reading that state (task 1's online network of each encoder, the configured method)
 * with ND4J's registrator and with pnr-spark's ({@link SparkKryo}), in MB/s, min / median / max over the repeats.
 */
final class SerializationBench {
    private SerializationBench() {}

    static int run(List<ConfigLoader.Source> sources, List<String> sets, List<String> encoders, int repeats,
            PrintStream out) {
        out.printf(Locale.ROOT, "bench --serialization: a network's parameters and optimizer state through Spark's "
                + "Kryo (as dl4j-spark broadcasts them and returns them from every worker), %d repeats%n", repeats);
        out.printf(Locale.ROOT, "%-15s %-11s %10s %11s %9s %9s %11s %9s %9s%n", "encoder", "registrator", "MB",
                "write MB/s", "median", "max", "read MB/s", "median", "max");
        List<String> volumes = new ArrayList<>();
        for (String encoder : encoders) {
            List<String> s = new ArrayList<>(sets);
            s.add("model.encoder=" + encoder);
            JobConfig c = ConfigLoader.load(sources, s);
            SslMethod method = Methods.of(c);
            ComputationGraph net = Networks.build(method.online(1));
            INDArray updater = net.getUpdater().getStateViewArray();
            NetBroadcastTuple state = new NetBroadcastTuple(net.getConfiguration(), net.params(),
                    updater == null ? null : updater.dup());
            for (String registrator : List.of("org.nd4j.kryo.Nd4jRegistrator", SparkKryo.REGISTRATOR)) {
                SerializerInstance kryo = new KryoSerializer(new SparkConf()
                        .set("spark.kryo.registrator", registrator)).newInstance();
                double[] write = new double[repeats];
                double[] read = new double[repeats];
                long bytes = 0;
                roundTrip(kryo, state); // warm-up
                for (int r = 0; r < repeats; r++) {
                    long start = System.nanoTime();
                    byte[] written = write(kryo, state);
                    long middle = System.nanoTime();
                    NetBroadcastTuple back = read(kryo, written);
                    long end = System.nanoTime();
                    if (back.getParameters().length() != state.getParameters().length()) {
                        throw new IllegalStateException("the parameters did not survive the round trip");
                    }
                    bytes = written.length;
                    write[r] = written.length / 1e6 / ((middle - start) / 1e9);
                    read[r] = written.length / 1e6 / ((end - middle) / 1e9);
                }
                out.printf(Locale.ROOT, "%-15s %-11s %10.1f %11.0f %9.0f %9.0f %11.0f %9.0f %9.0f%n", encoder,
                        registrator.equals(SparkKryo.REGISTRATOR) ? "pnr-spark" : "nd4j", bytes / 1e6,
                        Repeats.min(write), Repeats.median(write), Repeats.max(write),
                        Repeats.min(read), Repeats.median(read), Repeats.max(read));
                out.flush();
            }
            volumes.add(roundVolume(c, encoder, method, net, state));
        }
        JobConfig first = ConfigLoader.load(sources, sets);
        out.printf(Locale.ROOT, "what an averaging round moves through Spark (task 1 of %s x %s, %d images per worker "
                        + "and step, averaging every %d steps; MB as pnr-spark's Kryo writes them): down, the "
                        + "broadcast each worker reads; up, the result each worker returns; the frozen model once a "
                        + "task%n", first.method().name(), first.continual().strategy().configName(),
                first.spark().batchSizePerWorker(), first.spark().averagingFrequency());
        out.printf(Locale.ROOT, "%-15s %10s %9s %11s %10s %10s %8s %10s %10s%n", "encoder", "parameters", "state MB",
                "momentum MB", "queues MB", "down MB", "keys MB", "up MB", "frozen MB");
        volumes.forEach(out::println);
        return 0;
    }

    /**
     * One row of the round's volume: the online network's parameters and optimizer state (dl4j-spark's broadcast,
     * and each worker's result), the momentum target's parameters and MoCo's queues (broadcast every round by the
     * trainer), the keys each worker returns for the queues, and the frozen previous model (broadcast once a task).
     */
    private static String roundVolume(JobConfig c, String encoder, SslMethod method, ComputationGraph online,
            NetBroadcastTuple state) {
        SerializerInstance kryo = new KryoSerializer(new SparkConf().set("spark.kryo.registrator", SparkKryo.REGISTRATOR))
                .newInstance();
        double stateMb = write(kryo, state).length / 1e6;
        double momentumMb = 0;
        if (method.momentum().isPresent()) {
            ComputationGraph target = Networks.build(method.momentum().get().network());
            Networks.copyParameters(online, target);
            momentumMb = write(kryo, org.pnrspark.model.ModelSnapshot.of(target)).length / 1e6;
        }
        double frozenMb = method.usesFrozenModel(1)
                ? write(kryo, org.pnrspark.model.ModelSnapshot.of(method.frozen(), online)).length / 1e6 : 0;
        double queuesMb = 0, keysMb = 0;
        if (method.queues(1).isPresent()) {
            SslMethod.QueueSpec q = method.queues(1).get();
            // each queue holds two views of dim x size float32; a worker returns both views of every key it made
            queuesMb = q.count() * 2.0 * q.dim() * q.size() * Float.BYTES / 1e6;
            keysMb = q.count() * 2.0 * q.dim() * c.spark().batchSizePerWorker() * c.spark().averagingFrequency()
                    * Float.BYTES / 1e6;
        }
        return String.format(Locale.ROOT, "%-15s %10d %9.1f %11.1f %10.1f %10.1f %8.1f %10.1f %10.1f", encoder,
                online.numParams(), stateMb, momentumMb, queuesMb, stateMb + momentumMb + queuesMb, keysMb,
                stateMb + keysMb, frozenMb);
    }

    private static final ClassTag<NetBroadcastTuple> TAG = ClassTag$.MODULE$.apply(NetBroadcastTuple.class);

    private static void roundTrip(SerializerInstance kryo, NetBroadcastTuple state) {
        read(kryo, write(kryo, state));
    }

    /** As Spark writes a broadcast or a task result: a stream, no size limit. */
    private static <T> byte[] write(SerializerInstance kryo, T value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        SerializationStream stream = kryo.serializeStream(bytes);
        @SuppressWarnings("unchecked")
        ClassTag<T> tag = (ClassTag<T>) ClassTag$.MODULE$.apply(value.getClass());
        stream.writeObject(value, tag);
        stream.close();
        return bytes.toByteArray();
    }

    private static NetBroadcastTuple read(SerializerInstance kryo, byte[] bytes) {
        DeserializationStream stream = kryo.deserializeStream(new ByteArrayInputStream(bytes));
        NetBroadcastTuple state = stream.readObject(TAG);
        stream.close();
        return state;
    }
}

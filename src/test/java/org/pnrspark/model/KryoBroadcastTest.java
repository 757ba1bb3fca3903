package org.pnrspark.model;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every network configuration the job builds survives Spark's Kryo serialisation, as dl4j-spark broadcasts it to
 * executors in JVMs of their own (local mode never deserialises a broadcast, so only this, or a cluster, shows a
 * configuration Kryo cannot rebuild, such as an immutable list inside a layer).
 */
class KryoBroadcastTest {
    static Stream<Arguments> configurations() {
        List<Arguments> all = new ArrayList<>();
        for (String method : List.of("simclr", "mocov2plus", "byol", "barlow", "vicreg")) {
            for (String strategy : List.of("finetune", "cassle", "pnr")) {
                all.add(Arguments.of("conf/fmnist-5t-" + method + ".conf", strategy, "small-cnn"));
                all.add(Arguments.of("conf/cifar100-5t-" + method + ".conf", strategy, "resnet18-cifar"));
            }
        }
        all.add(Arguments.of("conf/cifar100-5t.conf", "pnr", "resnet18-imagenet"));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("configurations")
    void configurationsRoundTripThroughKryo(String conf, String strategy, String encoder) {
        JobConfig c = ConfigLoader.load(List.of(ConfigLoader.readLocalFile(conf)),
                List.of("continual.strategy=" + strategy, "model.encoder=" + encoder));
        SslMethod method = Methods.of(c);
        SerializerInstance kryo = new KryoSerializer(new SparkConf()
                .set("spark.kryo.registrator", org.pnrspark.train.SparkKryo.REGISTRATOR)).newInstance();
        List<ComputationGraphConfiguration> networks = new ArrayList<>(List.of(method.online(0), method.online(1)));
        if (method.usesFrozenModel(1)) networks.add(method.frozen());
        method.momentum().ifPresent(m -> networks.add(m.network()));
        var tag = ClassTag$.MODULE$.<ComputationGraphConfiguration>apply(ComputationGraphConfiguration.class);
        for (ComputationGraphConfiguration net : networks) {
            ByteBuffer bytes = kryo.serialize(net, tag);
            ComputationGraphConfiguration back = kryo.deserialize(bytes, tag);
            assertEquals(net.toJson(), back.toJson());
        }
    }
}

package org.pnrspark.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * Run in a JVM of its own by {@link SparkKryoCollectionTest}: writes Fortran-order arrays (which the serializer
 * copies to C order first, so the copy is its own) through an output that collects garbage between chunks, once
 * the write has been compiled. Exits 0 when every array reads back equal; a freed buffer crashes the JVM.
 */
public final class KryoCopyUnderCollection {
    private static volatile int collections;

    /** Collects garbage and gives ND4J's deallocator time to free what was collected, the first few writes. */
    private static final class CollectingOutput extends Output {
        CollectingOutput(OutputStream sink) {
            super(sink, 1 << 16);
        }

        @Override
        public void writeBytes(byte[] bytes, int offset, int count) {
            if (collections > 0) {
                collections--;
                System.gc();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            super.writeBytes(bytes, offset, count);
        }
    }

    public static void main(String[] args) {
        Kryo kryo = new Kryo();
        new SparkKryo().registerClasses(kryo);
        Nd4j.getRandom().setSeed(5);
        INDArray small = Nd4j.rand(DataType.FLOAT, 'f', 3, 5);
        INDArray medium = Nd4j.rand(DataType.FLOAT, 'f', 1024, 300);
        // enough writes for the JIT to compile the serializer, through the same output class as below
        for (int i = 0; i < 40_000; i++) {
            CollectingOutput o = new CollectingOutput(OutputStream.nullOutputStream());
            kryo.writeClassAndObject(o, i % 100 == 0 ? medium : small);
            o.flush();
        }
        INDArray big = Nd4j.rand(DataType.FLOAT, 'f', 4096, 4096); // 64 MiB: 64 chunks
        for (int round = 0; round < 3; round++) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            CollectingOutput o = new CollectingOutput(sink);
            collections = 3;
            kryo.writeClassAndObject(o, big);
            o.flush();
            INDArray back = (INDArray) kryo.readClassAndObject(new Input(sink.toByteArray()));
            if (!back.equals(big)) {
                System.out.println("round " + round + ": the array read back differs");
                System.exit(1);
            }
        }
        System.out.println("all rounds equal");
    }
}

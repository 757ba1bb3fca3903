package org.pnrspark.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * Spark's Kryo registrations for pnr-spark ({@code spark.kryo.registrator}): ND4J's own registrations, then a
 * serializer that copies an array's memory in bulk, and the classes that travel in every averaging round.
 *
 * <p>Why: ND4J's serializer writes arrays element by element through a {@code DataOutputStream}. Every averaging
 * round serialises the parameters and the optimizer state once for the broadcast and once per worker for the
 * result, and that made serialisation a tenth of a round of the small CNN. Copying the buffer in chunks of 1 MiB
 * writes the same bytes at memory speed. Registered classes are written as small numbers instead of class names.
 */
public final class SparkKryo implements KryoRegistrator {
    /** The value of spark.kryo.registrator that selects this class. */
    public static final String REGISTRATOR = SparkKryo.class.getName();

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new BulkArraySerializer());
        kryo.register(INDArray[].class);
        kryo.register(org.pnrspark.model.ModelSnapshot.class);
        // its Configuration is a transient field written by its own writeObject, which only Java serialisation
        // calls: Kryo's field serializer sent executor JVMs an empty holder (local mode never deserialises it)
        kryo.register(org.pnrspark.util.HadoopConf.class, new com.esotericsoftware.kryo.serializers.JavaSerializer());
        kryo.register(org.deeplearning4j.spark.api.worker.NetBroadcastTuple.class);
        kryo.register(org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult.class);
        kryo.register(java.util.concurrent.atomic.AtomicInteger.class);
        kryo.register(org.pnrspark.eval.FeatureBlock.class);
    }

    /**
     * An INDArray as its data type, byte order, shape and raw C-order bytes; arrays it does not cover (compressed,
     * strings, over 2 GiB) go through ND4J's own serializer, after a flag that says which.
     */
    static final class BulkArraySerializer extends Serializer<INDArray> {
        private static final Set<DataType> BULK = EnumSet.of(DataType.DOUBLE, DataType.FLOAT, DataType.HALF,
                DataType.BFLOAT16, DataType.LONG, DataType.INT, DataType.SHORT, DataType.BYTE, DataType.UBYTE,
                DataType.BOOL);
        private static final int CHUNK = 1 << 20;
        private final Nd4jSerializer fallback = new Nd4jSerializer();

        @Override
        public void write(Kryo kryo, Output out, INDArray array) {
            boolean bulk = !array.isCompressed() && BULK.contains(array.dataType())
                    && array.length() * array.dataType().width() <= Integer.MAX_VALUE;
            out.writeBoolean(bulk);
            if (!bulk) {
                fallback.write(kryo, out, array);
                return;
            }
            out.writeString(array.dataType().name());
            out.writeBoolean(array.isEmpty());
            if (array.isEmpty()) {
                out.writeVarInt(array.rank(), true);
                for (long s : array.shape()) out.writeVarLong(s, true);
                return;
            }
            INDArray a = array;
            if (a.isView() || a.ordering() != 'c' || a.data().length() != a.length() || a.offset() != 0) {
                a = a.dup('c');
            }
            Nd4j.getAffinityManager().ensureLocation(a, AffinityManager.Location.HOST);
            long[] shape = a.shape();
            out.writeBoolean(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
            out.writeVarInt(shape.length, true);
            for (long s : shape) out.writeVarLong(s, true);
            int bytes = (int) (a.length() * a.dataType().width());
            out.writeVarInt(bytes, true);
            inChunks(a, bytes, (memory, chunk, n) -> {
                memory.get(chunk, 0, n);
                out.writeBytes(chunk, 0, n);
            });
        }

        @Override
        public INDArray read(Kryo kryo, Input in, Class<INDArray> type) {
            if (!in.readBoolean()) return fallback.read(kryo, in, type);
            DataType dataType = DataType.valueOf(in.readString());
            if (in.readBoolean()) {
                long[] shape = new long[in.readVarInt(true)];
                for (int i = 0; i < shape.length; i++) shape[i] = in.readVarLong(true);
                return shape.length == 0 ? Nd4j.empty(dataType) : Nd4j.create(dataType, shape);
            }
            boolean littleEndian = in.readBoolean();
            long[] shape = new long[in.readVarInt(true)];
            for (int i = 0; i < shape.length; i++) shape[i] = in.readVarLong(true);
            int bytes = in.readVarInt(true);
            if (littleEndian != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
                throw new IllegalStateException("an array serialised on a machine of the other byte order");
            }
            INDArray a = Nd4j.createUninitializedDetached(dataType, shape);
            if (a.length() * dataType.width() != bytes) {
                throw new IllegalStateException("a serialised array of shape " + java.util.Arrays.toString(shape)
                        + " and type " + dataType + " holds " + bytes + " bytes");
            }
            inChunks(a, bytes, (memory, chunk, n) -> {
                in.readBytes(chunk, 0, n);
                memory.put(chunk, 0, n);
            });
            Nd4j.getAffinityManager().tagLocation(a, AffinityManager.Location.HOST);
            return a;
        }

        /** One chunk's move between the array's memory (at its position, advanced by n) and the stream. */
        private interface ChunkMove {
            void apply(ByteBuffer memory, byte[] chunk, int n);
        }

        /** Moves the first {@code bytes} bytes of a C-order array's memory chunk by chunk. */
        private static void inChunks(INDArray a, int bytes, ChunkMove move) {
            DataBuffer data = a.data();
            try {
                ByteBuffer memory = data.asNio().duplicate();
                memory.position(0).limit(bytes);
                byte[] chunk = new byte[Math.min(CHUNK, bytes)];
                while (memory.hasRemaining()) {
                    move.apply(memory, chunk, Math.min(chunk.length, memory.remaining()));
                }
            } finally {
                // The ByteBuffer does not keep the array alive. Once the loop is compiled, nothing else may need the
                // array (a copy, when a view is written), and a collection during the copy let ND4J free the memory
                // under it: a SIGSEGV in the middle of a broadcast.
                Reference.reachabilityFence(data);
                Reference.reachabilityFence(a);
            }
        }
    }
}

package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.model.Networks;
import org.pnrspark.util.Storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Checkpoint files: networks in DL4J's model format ({@code model.zip}: configuration JSON, parameters and
 * optimizer state as ND4J binary arrays), MoCo's queues, each with its SHA-256 next to it ({@code <file>.sha256},
 * sha256sum format), written atomically.
 *
 * <p>Reading never uses DL4J's own restore (which falls back to Java deserialisation for old files) nor Java
 * serialisation: the checksum is verified first, the zip may hold only the expected entries, the stored
 * configuration is read as a plain JSON tree and must describe the network the run expects (same vertices, same
 * parameter count), and only then are the arrays copied into a network built from the run's own configuration.
 */
public final class Checkpoints {
    public static final String MODEL = "model.zip";
    public static final String CHECKSUM = MODEL + ".sha256";
    public static final String CONFIG = "config.conf";
    public static final String MOMENTUM = "momentum.zip";
    public static final String QUEUES = "queues.bin";
    private static final String SHA_SUFFIX = ".sha256";
    private static final String ZIP_CONFIGURATION = "configuration.json";
    private static final String ZIP_PARAMETERS = "coefficients.bin";
    private static final String ZIP_UPDATER = "updaterState.bin";
    private static final Set<String> ZIP_ENTRIES = Set.of(ZIP_CONFIGURATION, ZIP_PARAMETERS, ZIP_UPDATER);
    private static final long MAX_JSON_BYTES = 16L << 20;
    /** ND4J's binary array encoding: shape information and the buffer's description, before the values. */
    private static final long ARRAY_HEADER_BYTES = 64L << 10;

    private Checkpoints() {}

    public static String taskDir(String outputDir, int task) {
        return Storage.child(outputDir, "task-" + task);
    }

    /** Writes the checkpoint of a task (model with optimizer state, configuration) and returns the model's SHA-256. */
    public static String write(Storage storage, String taskDir, ComputationGraph model, String configHocon)
            throws IOException {
        String sha = writeModel(storage, Storage.child(taskDir, MODEL), model, true);
        storage.writeString(Storage.child(taskDir, CONFIG), configHocon);
        return sha;
    }

    /** The momentum target next to the model ({@code momentum.zip}), to resume from and to inspect. */
    public static void writeMomentum(Storage storage, String dir, ComputationGraph momentum) throws IOException {
        writeModel(storage, Storage.child(dir, MOMENTUM), momentum, false);
    }

    /** MoCo's queues and their pointers ({@code queues.bin}, {@link KeyQueues#write}). */
    public static void writeQueues(Storage storage, String dir, KeyQueues queues) throws IOException {
        writeChecked(storage, Storage.child(dir, QUEUES), queues::write);
    }

    /** Writes a network and its checksum file; returns the SHA-256. */
    public static String writeModel(Storage storage, String file, ComputationGraph model, boolean withOptimizerState)
            throws IOException {
        return writeChecked(storage, file, out -> ModelSerializer.writeModel(model, nonClosing(out), withOptimizerState));
    }

    private static String writeChecked(Storage storage, String file, Storage.Writer writer) throws IOException {
        MessageDigest digest = Storage.sha256();
        storage.writeAtomically(file, out -> {
            DigestOutputStream digesting = new DigestOutputStream(out, digest);
            writer.write(digesting);
            digesting.flush();
        });
        String sha = HexFormat.of().formatHex(digest.digest());
        String name = new org.apache.hadoop.fs.Path(file).getName();
        storage.writeString(file + SHA_SUFFIX, sha + "  " + name + "\n");
        return sha;
    }

    /**
     * The content of a checkpoint file after checking its size and then its {@code .sha256} file.
     *
     * @param maxBytes the largest size the file can have for this run's networks (a bound read before anything
     *                 is allocated, against files that were not written by this run)
     * @throws CheckpointException if either file is missing, too large, or they disagree (a truncated or corrupt
     *                             file)
     */
    public static byte[] readVerified(Storage storage, String file, long maxBytes) throws IOException {
        String shaFile = file + SHA_SUFFIX;
        if (!storage.isFile(file)) throw new CheckpointException(file + " is missing");
        if (!storage.isFile(shaFile)) {
            throw new CheckpointException(file + " has no checksum file " + shaFile + ", so it cannot be trusted");
        }
        long size = storage.size(file);
        if (size > maxBytes) {
            throw new CheckpointException(file + " has " + size + " bytes, more than the " + maxBytes + " this run's "
                    + "checkpoint can have: not a checkpoint of this run");
        }
        String expected = storage.readString(shaFile).trim().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
        byte[] bytes = storage.readAll(file);
        String actual = HexFormat.of().formatHex(Storage.sha256().digest(bytes));
        if (!actual.equals(expected)) {
            throw new CheckpointException(String.format("%s is corrupt or truncated: its SHA-256 is %s, %s says %s "
                    + "(%d bytes read)", file, actual, shaFile, expected, bytes.length));
        }
        return bytes;
    }

    /**
     * Reads a network written by {@link #writeModel}: verified, then loaded into a fresh network of {@code conf}.
     *
     * @param withOptimizerState whether the optimizer state is restored too (the file must then hold it, unless
     *                           the optimizer has none, e.g. SGD without momentum)
     */
    public static ComputationGraph readModel(Storage storage, String file, ComputationGraphConfiguration conf,
            boolean withOptimizerState) throws IOException {
        ComputationGraph net = Networks.build(conf);
        INDArray stateView = net.getUpdater(true).getStateViewArray();
        long stateLength = stateView == null ? 0 : stateView.length();
        // float32 arrays plus their headers; the configuration JSON is small
        Map<String, Long> maxEntry = Map.of(ZIP_CONFIGURATION, MAX_JSON_BYTES,
                ZIP_PARAMETERS, 4 * net.numParams() + ARRAY_HEADER_BYTES,
                ZIP_UPDATER, 4 * stateLength + ARRAY_HEADER_BYTES);
        long maxFile = maxEntry.values().stream().mapToLong(Long::longValue).sum() + MAX_JSON_BYTES;
        byte[] bytes = readVerified(storage, file, maxFile);
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (!ZIP_ENTRIES.contains(e.getName())) {
                    throw new CheckpointException(file + ": unexpected entry " + e.getName() + " (a model checkpoint "
                            + "holds only " + new TreeSet<>(ZIP_ENTRIES) + ")");
                }
                long limit = maxEntry.get(e.getName());
                byte[] content = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                if (content.length > limit) {
                    throw new CheckpointException(file + ": " + e.getName() + " inflates to more than the " + limit
                            + " bytes this run's network can have");
                }
                entries.put(e.getName(), content);
            }
        }
        boolean needState = withOptimizerState && stateLength > 0;
        for (String required : needState ? ZIP_ENTRIES : Set.of(ZIP_CONFIGURATION, ZIP_PARAMETERS)) {
            if (!entries.containsKey(required)) throw new CheckpointException(file + ": no " + required + " inside");
        }
        JsonNode stored = new ObjectMapper().readTree(entries.get(ZIP_CONFIGURATION));
        Set<String> storedVertices = new TreeSet<>();
        for (Iterator<String> it = stored.path("vertices").fieldNames(); it.hasNext(); ) storedVertices.add(it.next());
        Set<String> expectedVertices = new TreeSet<>(conf.getVertices().keySet());
        if (!storedVertices.equals(expectedVertices)) {
            throw new CheckpointException(file + " holds a network with vertices " + storedVertices
                    + ", but this run's network has " + expectedVertices);
        }
        INDArray params = array(entries.get(ZIP_PARAMETERS), file, ZIP_PARAMETERS);
        if (params.length() != net.numParams()) {
            throw new CheckpointException(file + " holds " + params.length() + " parameters, this run's network has "
                    + net.numParams());
        }
        net.setParams(params.reshape(net.params().shape()));
        if (needState) {
            INDArray state = array(entries.get(ZIP_UPDATER), file, ZIP_UPDATER);
            if (state.length() != stateLength) {
                throw new CheckpointException(file + " holds " + state.length() + " optimizer-state values, this "
                        + "run's optimizer has " + stateLength);
            }
            stateView.assign(state.reshape(stateView.shape()));
        }
        net.getConfiguration().setIterationCount(stored.path("iterationCount").asInt(0));
        net.getConfiguration().setEpochCount(stored.path("epochCount").asInt(0));
        return net;
    }

    /** Reads MoCo's queues written by {@link #writeQueues}, verified, for queues of the given dimensions. */
    public static KeyQueues readQueues(Storage storage, String dir, org.pnrspark.method.SslMethod.QueueSpec spec)
            throws IOException {
        String file = Storage.child(dir, QUEUES);
        long max = 2 * (4L * 2 * spec.dim() * spec.size() + ARRAY_HEADER_BYTES) + 64;
        byte[] bytes = readVerified(storage, file, max);
        KeyQueues queues;
        try {
            queues = KeyQueues.read(new ByteArrayInputStream(bytes), file);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
        if (queues.dim() != spec.dim() || queues.size() != spec.size()) {
            throw new CheckpointException(file + " holds queues of " + queues.dim() + " x " + queues.size()
                    + " keys, this run's are " + spec.dim() + " x " + spec.size());
        }
        return queues;
    }

    private static INDArray array(byte[] bytes, String file, String entry) throws CheckpointException {
        try {
            INDArray a = Nd4j.read(new DataInputStream(new ByteArrayInputStream(bytes)));
            if (a.dataType() != DataType.FLOAT) {
                throw new CheckpointException(file + ": " + entry + " is " + a.dataType() + ", expected FLOAT");
            }
            return a;
        } catch (RuntimeException | IOException | OutOfMemoryError e) {
            if (e instanceof CheckpointException c) throw c;
            throw new CheckpointException(file + ": " + entry + " is not an ND4J array (" + e + ")");
        }
    }

    /** ModelSerializer closes the stream it is given; the atomic writer closes it itself. */
    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }
}

package org.pnrspark.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Task checkpoints: {@code task-<t>/model.zip} (DL4J's format: configuration JSON, parameters and updater state
 * as ND4J binary arrays; no Java serialisation), its SHA-256 in {@code model.zip.sha256} (sha256sum format),
 * and the run's configuration. Every file is written atomically.
 */
public final class Checkpoints {
    public static final String MODEL = "model.zip";
    public static final String CHECKSUM = MODEL + ".sha256";
    public static final String CONFIG = "config.conf";
    public static final String MOMENTUM = "momentum.zip";
    public static final String QUEUES = "queues.bin";

    private Checkpoints() {}

    public static String taskDir(String outputDir, int task) {
        return Storage.child(outputDir, "task-" + task);
    }

    /** Writes the checkpoint of a task and returns the model file's SHA-256. */
    public static String write(Storage storage, String taskDir, ComputationGraph model, String configHocon)
            throws IOException {
        MessageDigest digest = Storage.sha256();
        storage.writeAtomically(Storage.child(taskDir, MODEL), out -> {
            DigestOutputStream digesting = new DigestOutputStream(nonClosing(out), digest);
            ModelSerializer.writeModel(model, digesting, true);
            digesting.flush();
        });
        String sha = HexFormat.of().formatHex(digest.digest());
        storage.writeString(Storage.child(taskDir, CHECKSUM), sha + "  " + MODEL + "\n");
        storage.writeString(Storage.child(taskDir, CONFIG), configHocon);
        return sha;
    }

    /** The momentum target next to the model ({@code momentum.zip}), to resume from and to inspect. */
    public static void writeMomentum(Storage storage, String taskDir, ComputationGraph momentum) throws IOException {
        storage.writeAtomically(Storage.child(taskDir, MOMENTUM), out -> ModelSerializer.writeModel(momentum,
                nonClosing(out), false));
    }

    /** MoCo's queues and their pointers ({@code queues.bin}, {@link KeyQueues#write}). */
    public static void writeQueues(Storage storage, String taskDir, KeyQueues queues) throws IOException {
        storage.writeAtomically(Storage.child(taskDir, QUEUES), queues::write);
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

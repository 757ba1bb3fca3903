package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.pnrspark.report.EpochFigures;
import org.pnrspark.report.ResultsFile;
import org.pnrspark.report.ResultsWriter;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state of a task after some of its epochs, written every {@code checkpoint.every_epochs} epochs into
 * {@code task-<t>/epoch-<e>/}: the online network with its optimizer state, the momentum target, MoCo's queues (each
 * with its checksum) and {@code state.json} (epochs done, steps, the curve so far), written last. A directory with a
 * {@code state.json} is therefore complete; older ones are removed after a newer one is complete, and all of them
 * once the task's results are written.
 *
 * <p>The minibatch order and the augmentations of an epoch are drawn from (seed, task, epoch), and the learning rate
 * from the epoch, so a task resumed from here trains exactly the epochs it would have trained.
 *
 * @param workers  the parameter-averaging workers it was trained with (results depend on their number)
 * @param momentum null when the method has no momentum target
 * @param queues   null when the method has no queues
 */
public record EpochCheckpoint(int workers, int epochsDone, int steps, double seconds, List<EpochFigures> curve,
        ComputationGraph online, ComputationGraph momentum, KeyQueues queues) {
    private static final String PREFIX = "epoch-";
    private static final String STATE = "state.json";
    private static final int FORMAT = 1;

    public static String dir(String taskDir, int epochsDone) {
        return Storage.child(taskDir, PREFIX + epochsDone);
    }

    /** Writes this state, then removes the task's older epoch checkpoints. */
    public void write(Storage storage, String taskDir) throws IOException {
        String dir = dir(taskDir, epochsDone);
        Checkpoints.writeModel(storage, Storage.child(dir, Checkpoints.MODEL), online, true);
        if (momentum != null) Checkpoints.writeMomentum(storage, dir, momentum);
        if (queues != null) Checkpoints.writeQueues(storage, dir, queues);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("format", FORMAT);
        state.put("workers", workers);
        state.put("epochs_done", epochsDone);
        state.put("steps", steps);
        state.put("seconds", seconds);
        List<Object> points = new ArrayList<>();
        for (EpochFigures e : curve) points.add(ResultsWriter.curvePoint(e));
        state.put("curve", points);
        storage.writeString(Storage.child(dir, STATE),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(state) + "\n");
        for (int e : epochs(storage, taskDir)) {
            if (e != epochsDone) storage.delete(dir(taskDir, e));
        }
    }

    /**
     * The task's newest complete epoch checkpoint, verified and loaded, if any.
     *
     * @param momentumConf the momentum target's configuration, or null when the method has none
     * @param queueSpec    the method's queues, or null when it has none
     * @throws CheckpointException if the newest one is corrupt: it is not silently skipped
     */
    public static Optional<EpochCheckpoint> latest(Storage storage, String taskDir, int workers,
            ComputationGraphConfiguration onlineConf, ComputationGraphConfiguration momentumConf, org.pnrspark.method.SslMethod.QueueSpec queueSpec)
            throws IOException {
        List<Integer> epochs = epochs(storage, taskDir);
        if (epochs.isEmpty()) return Optional.empty();
        int e = epochs.get(epochs.size() - 1);
        String dir = dir(taskDir, e);
        String stateFile = Storage.child(dir, STATE);
        JsonNode state;
        try {
            state = new ObjectMapper().readTree(storage.readString(stateFile));
        } catch (IOException ex) {
            throw new CheckpointException(stateFile + " cannot be read: " + ex.getMessage());
        }
        if (state.path("format").asInt() != FORMAT || state.path("epochs_done").asInt(-1) != e) {
            throw new CheckpointException(stateFile + ": expected format " + FORMAT + " and epochs_done " + e);
        }
        RunDirectory.checkWorkers(state.path("workers").asInt(), workers, stateFile);
        List<EpochFigures> curve = new ArrayList<>();
        for (JsonNode p : state.path("curve")) curve.add(ResultsFile.curvePoint(p));
        if (curve.size() != e) throw new CheckpointException(stateFile + ": " + curve.size() + " curve points for " + e + " epochs");
        ComputationGraph online = Checkpoints.readModel(storage, Storage.child(dir, Checkpoints.MODEL), onlineConf, true);
        ComputationGraph momentum = momentumConf == null ? null
                : Checkpoints.readModel(storage, Storage.child(dir, Checkpoints.MOMENTUM), momentumConf, false);
        KeyQueues queues = queueSpec == null ? null : Checkpoints.readQueues(storage, dir, queueSpec);
        return Optional.of(new EpochCheckpoint(workers, e, state.path("steps").asInt(), state.path("seconds").asDouble(),
                List.copyOf(curve), online, momentum, queues));
    }

    /** Removes the task's epoch checkpoints (once its task checkpoint and results are written). */
    public static void clear(Storage storage, String taskDir) throws IOException {
        for (String name : storage.list(taskDir)) {
            if (name.startsWith(PREFIX)) storage.delete(Storage.child(taskDir, name));
        }
    }

    /** Epoch counts of the task's complete epoch checkpoints, ascending. */
    private static List<Integer> epochs(Storage storage, String taskDir) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (String name : storage.list(taskDir)) {
            if (!name.startsWith(PREFIX)) continue;
            int e;
            try {
                e = Integer.parseInt(name.substring(PREFIX.length()));
            } catch (NumberFormatException ex) {
                continue;
            }
            if (storage.isFile(Storage.child(Storage.child(taskDir, name), STATE))) out.add(e);
        }
        out.sort(null);
        return out;
    }
}

package org.pnrspark.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.eval.Classifier;
import org.pnrspark.report.ResultsWriter;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an output directory already holds, and whether a run may go on there. A directory holding a run of the same
 * configuration is resumed: finished tasks are kept, the current task continues from its last epoch checkpoint. A
 * different configuration is refused, naming the keys that differ, unless {@code output.overwrite} (--force) says to
 * discard the old run and start over.
 */
public final class RunDirectory {
    /**
     * Keys that may change between a run and its resumption: where and how often it writes, the fault drills, and
     * the master it runs on (the number of workers, which changes results, is checked on its own).
     */
    static final List<String> RESUMABLE_KEYS = List.of("output", "checkpoint", "fault", "spark.master");

    /** The Spark application that last started the run over with --force. */
    static final String STARTED_BY = "started-over-by";

    private RunDirectory() {}

    /** Whether the directory holds anything of a run. */
    public static boolean holdsRun(Storage storage, String dir) throws IOException {
        return storage.exists(Storage.child(dir, Checkpoints.CONFIG))
                || storage.exists(Storage.child(dir, ResultsWriter.RESULTS_JSON))
                || storage.exists(Checkpoints.taskDir(dir, 0));
    }

    /**
     * Checks, before anything is trained, that the run may use its output directory.
     *
     * @return true if there is a run of the same configuration to resume
     * @throws InvalidConfigException if the directory holds another run and output.overwrite is off
     */
    public static boolean checkResumable(JobConfig c, Storage storage) throws IOException {
        return checkResumable(c, storage, c.output().overwrite());
    }

    /** @param overwrite whether the run is to start over (then nothing is checked) */
    static boolean checkResumable(JobConfig c, Storage storage, boolean overwrite) throws IOException {
        String dir = c.output().dir();
        if (!holdsRun(storage, dir) || overwrite) return false;
        String configFile = Storage.child(dir, Checkpoints.CONFIG);
        if (!storage.isFile(configFile)) {
            throw InvalidConfigException.expected("output.dir", dir, "", "a directory without results, or one with "
                    + "the config.conf of the run to resume (this one holds results without it); choose another "
                    + "output.dir, or pass --force (output.overwrite = true) to discard them and start over");
        }
        List<String> differences = differences(storage.readString(configFile), c.hocon());
        if (!differences.isEmpty()) {
            throw InvalidConfigException.expected("output.dir", dir, "", "the same configuration as the run it "
                    + "holds, to resume it; these keys differ (there → here): " + String.join("; ", differences)
                    + ". Choose another output.dir, or pass --force (output.overwrite = true) to discard that run "
                    + "and start over");
        }
        return true;
    }

    /** Refuses to resume with another number of parameter-averaging workers than the run was trained with. */
    static void checkWorkers(int trained, int now, String file) {
        if (trained != now) {
            throw InvalidConfigException.expected("spark.workers", now, "", trained + ", the number of workers the run "
                    + "in " + file + " was trained with (the minibatches each worker trains, and so the results, "
                    + "depend on it); set spark.workers = " + trained + " to resume it");
        }
    }

    /**
     * For {@code --force}: whether this Spark application already started the run over in this directory. A driver
     * that YARN restarts (a new attempt of the same application) runs the same command again, --force included,
     * and must resume what the first attempt did rather than discard it.
     */
    static boolean startedOverBy(Storage storage, String dir, String applicationId) throws IOException {
        String file = Storage.child(dir, STARTED_BY);
        return storage.isFile(file) && storage.readString(file).trim().equals(applicationId);
    }

    /**
     * Removes what a run writes into its directory (task checkpoints, results, configuration) and nothing else,
     * then records which application did it ({@link #startedOverBy}). The configuration goes last, so that a
     * directory cleared half-way still counts as holding a run.
     */
    static void startOver(Storage storage, String dir, String applicationId) throws IOException {
        for (String name : storage.list(dir)) {
            boolean ours = name.matches("task-\\d+") || name.equals(STARTED_BY)
                    || name.equals(ResultsWriter.RESULTS_JSON) || name.equals(ResultsWriter.REPORT_HTML)
                    || Arrays.stream(Classifier.values()).anyMatch(c -> name.equals(c.csvFile()))
                    || name.equals(ResultsWriter.CURVES_CSV) || name.equals(ResultsWriter.LOSS_TERMS_CSV);
            if (ours) storage.delete(Storage.child(dir, name));
        }
        storage.delete(Storage.child(dir, Checkpoints.CONFIG));
        storage.writeString(Storage.child(dir, STARTED_BY), applicationId + "\n");
    }

    /** "key: old → new" for every key whose value differs, ignoring {@link #RESUMABLE_KEYS}. */
    static List<String> differences(String storedHocon, String currentHocon) {
        Map<String, String> stored = flatten(ConfigFactory.parseString(storedHocon));
        Map<String, String> current = flatten(ConfigFactory.parseString(currentHocon));
        TreeMap<String, String> all = new TreeMap<>();
        stored.keySet().forEach(k -> all.put(k, ""));
        current.keySet().forEach(k -> all.put(k, ""));
        List<String> out = new ArrayList<>();
        for (String key : all.keySet()) {
            if (RESUMABLE_KEYS.stream().anyMatch(p -> key.equals(p) || key.startsWith(p + "."))) continue;
            String a = stored.get(key), b = current.get(key);
            if (!Objects.equals(a, b)) out.add(key + ": " + (a == null ? "(unset)" : a) + " → " + (b == null ? "(unset)" : b));
        }
        return out;
    }

    private static Map<String, String> flatten(Config c) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
        return out;
    }
}

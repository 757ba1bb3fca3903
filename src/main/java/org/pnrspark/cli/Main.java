package org.pnrspark.cli;

import org.apache.spark.sql.SparkSession;
import org.pnrspark.bench.BenchCommand;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.DataFormatException;
import org.pnrspark.data.Datasets;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.Scenarios;
import org.pnrspark.data.Split;
import org.pnrspark.data.TaskSplit;
import org.pnrspark.parity.ParityCommand;
import org.pnrspark.report.Comparison;
import org.pnrspark.report.ResultsTable;
import org.pnrspark.report.ResultsWriter;
import org.pnrspark.report.RunResult;
import org.pnrspark.train.CheckpointException;
import org.pnrspark.train.ContinualTrainer;
import org.pnrspark.train.OutputLock;
import org.pnrspark.train.OutputLockedException;
import org.pnrspark.train.ProgressLog;
import org.pnrspark.train.RunChecks;
import org.pnrspark.train.RunDirectory;
import org.pnrspark.train.SparkSessions;
import org.pnrspark.train.TrainingDivergedException;
import org.pnrspark.util.HadoopConf;
import org.pnrspark.util.QuietStdout;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the local runner and of spark-submit. Everything the user can get wrong is checked before Spark
 * starts (configuration, data files, output directory), and reported in one message.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        QuietStdout.install();
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (Throwable t) {
            code = unexpected(t, System.err);
        }
        if (code != 0) System.exit(code);
    }

    /**
     * An error nobody anticipated (a bug, or a failure deep in Spark or ND4J): one line on the console, the stack
     * trace in a file for the bug report; returns exit code 1.
     */
    static int unexpected(Throwable t, PrintStream err) {
        String where;
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("pnr-spark-error-", ".txt");
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            java.nio.file.Files.writeString(file, trace.toString());
            where = "the stack trace is in " + file;
        } catch (IOException | RuntimeException e) {
            where = "the stack trace could not be written: " + e.getMessage();
        }
        err.println("error: " + t + "\n(an unexpected failure; " + where + ")");
        return 1;
    }

    /** Runs a command; returns the process exit code (0 success, 2 bad input, 1 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("parity")) {
            return ParityCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("compare")) {
            return CompareCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("prepare")) {
            return PrepareCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("bench")) {
            return BenchCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        try {
            Arguments a = Arguments.parse(args);
            switch (a.command()) {
                case "help" -> {
                    out.print(Arguments.USAGE);
                    return 0;
                }
                case "validate" -> {
                    List<JobConfig> configs = prepare(a);
                    for (JobConfig c : configs) out.println(c.hocon());
                    return 0;
                }
                case "train" -> {
                    train(a, out);
                    return 0;
                }
                default -> throw new InvalidConfigException("(command line)", "unknown command \"" + a.command()
                        + "\"\n\n" + Arguments.USAGE);
            }
        } catch (InvalidConfigException | DataFormatException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (CheckpointException e) {
            err.println("error: cannot resume from the output directory: " + e.getMessage() + "\n(remove that "
                    + "checkpoint to retrain what it held, or pass --force to start the run over)");
            return 2;
        } catch (OutputLockedException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (TrainingDivergedException e) {
            err.println("error: training diverged: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("error: " + e);
            return 1;
        } catch (Exception e) {
            // an unreadable image found on an executor arrives wrapped in Spark's (checked) and DL4J's exceptions
            DataFormatException bad = DataFormatException.causeOf(e);
            if (bad == null) throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            err.println("error: " + bad.getMessage());
            return 2;
        }
    }

    /** Loads and checks one configuration per requested strategy, with its output directory resolved. */
    static List<JobConfig> prepare(Arguments a) throws IOException {
        List<ConfigLoader.Source> sources = new ArrayList<>();
        for (String f : a.confFiles()) sources.add(ConfigLoader.readLocalFile(f));
        JobConfig base = ConfigLoader.load(sources, a.overrides());
        Storage storage = new Storage(SparkSessions.hadoopConfigurationBeforeSpark(base));
        Datasets.checkReadable(base, storage);
        // the tasks' sizes against the batch, before Spark starts (in local mode the images read stay cached)
        HadoopConf hadoop = new HadoopConf(storage.conf());
        List<TaskSplit> tasks = Scenarios.split(base, ImageSources.get(base, Split.TRAIN, hadoop),
                ImageSources.get(base, Split.TEST, hadoop), storage);
        RunChecks.check(base, tasks, RunChecks.workersBeforeSpark(base));
        String outputDir = base.output().dir().isEmpty()
                ? "runs/" + base.run().name() + "/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                : base.output().dir();
        List<JobConfig> configs = new ArrayList<>();
        if (a.strategies().isEmpty()) {
            configs.add(withOutput(sources, a.overrides(), List.of(), storage.qualify(outputDir)));
        } else {
            for (String s : a.strategies()) {
                configs.add(withOutput(sources, a.overrides(), List.of("continual.strategy=" + s),
                        storage.qualify(Storage.child(outputDir, s))));
            }
        }
        // another run's results are not mixed into, a run of the same configuration is resumed
        for (JobConfig c : configs) RunDirectory.checkResumable(c, storage);
        return configs;
    }

    private static JobConfig withOutput(List<ConfigLoader.Source> sources, List<String> overrides, List<String> extra,
            String outputDir) {
        List<String> sets = new ArrayList<>(overrides);
        sets.addAll(extra);
        sets.add("output.dir=" + outputDir);
        return ConfigLoader.load(sources, sets);
    }

    private static void train(Arguments a, PrintStream out) throws IOException {
        ProgressLog log = new ProgressLog(out);
        List<JobConfig> configs = prepare(a);
        // a session that already runs (an embedding application, a test) is used and left running
        boolean ownSession = SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
        String strategies = String.join(", ", configs.stream().map(c -> c.continual().strategy().configName()).toList());
        SparkSession spark = SparkSessions.create(configs.get(0), strategies);
        List<RunResult> runs = new ArrayList<>();
        List<OutputLock> locks = new ArrayList<>();
        try {
            // every output directory is this job's before anything is written in any of them
            Storage lockStorage = new Storage(spark.sparkContext().hadoopConfiguration());
            scala.Option<String> attempt = spark.sparkContext().applicationAttemptId();
            OutputLock.Holder me = OutputLock.Holder.of(spark.sparkContext().applicationId(),
                    attempt.isDefined() ? attempt.get() : "");
            for (JobConfig config : configs) {
                locks.add(OutputLock.acquire(lockStorage, config.output().dir(), me,
                        java.time.Duration.ofSeconds(config.output().lockStaleSeconds()), java.time.Clock.systemUTC(),
                        line -> log.line("%s", line)));
            }
            for (int i = 0; i < configs.size(); i++) {
                JobConfig config = configs.get(i);
                ContinualTrainer trainer = new ContinualTrainer(config, spark, config.output().dir(), log)
                        .holding(locks.get(i));
                // task 0 is the same under every strategy: the first run trains it, the others start from it
                if (!runs.isEmpty()) trainer.sharingTask0Of(runs.get(0).outputDir());
                RunResult run = trainer.run();
                runs.add(run);
                out.println();
                out.print(ResultsTable.accuracyMatrix(run));
                out.println(ResultsTable.timeLine(run));
                out.println("results: " + Storage.child(run.outputDir(), ResultsWriter.RESULTS_JSON));
                out.println();
            }
            if (runs.size() > 1) {
                out.print(ResultsTable.comparison(runs));
                // the strategies side by side, with plots, next to their directories
                Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
                List<String> dirs = runs.stream().map(RunResult::outputDir).toList();
                String parent = new org.apache.hadoop.fs.Path(dirs.get(0)).getParent().toString();
                String html = Storage.child(parent, "compare.html");
                storage.writeString(html, Comparison.load(storage, dirs).html());
                out.println("comparison with plots: " + html);
            }
        } finally {
            for (OutputLock lock : locks) lock.close();
            if (ownSession) spark.stop();
        }
    }
}

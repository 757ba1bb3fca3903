package org.pnrspark.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration of one run: immutable, validated once by {@link ConfigLoader}, and small enough to be
 * shipped to executors. {@link #hocon()} is the effective configuration as written next to the results.
 */
public record JobConfig(
        Run run,
        Data data,
        Scenario scenario,
        Augment augment,
        Model model,
        Method method,
        Simclr simclr,
        Barlow barlow,
        Vicreg vicreg,
        Byol byol,
        Moco moco,
        Continual continual,
        Optim optim,
        SparkSettings spark,
        Eval eval,
        Output output,
        Checkpoint checkpoint,
        Fault fault,
        String hocon) implements Serializable {

    public record Run(String name, long seed) implements Serializable {}

    /**
     * @param numClasses the dataset's class count (data.num_classes, or the dataset's own)
     * @param images     how image files are read and cropped (the datasets of image files only)
     */
    public record Data(DatasetKind dataset, String root, int maxTrainPerClass, int maxTestPerClass, int numClasses,
            ImageFiles images) implements Serializable {
        /** The value of data.root that selects the Fashion-MNIST sample bundled in the jar. */
        public static final String BUNDLED_SAMPLE = "sample";

        public boolean bundledSample() {
            return BUNDLED_SAMPLE.equals(root);
        }

        public int channels() {
            return dataset.channels();
        }

        /** Height of the network's input: the dataset's, or data.image_size for image files. */
        public int height() {
            return dataset.imageFiles() ? images.imageSize() : dataset.height();
        }

        public int width() {
            return dataset.imageFiles() ? images.imageSize() : dataset.width();
        }
    }

    /**
     * Image files (ImageNet-100, DomainNet, image folders).
     *
     * @param imageSize  side of the training crops and of the evaluation's centre crop (224)
     * @param evalResize evaluation: the short side is resized to this before the centre crop (256)
     * @param skipBad    data.bad_images = skip: unreadable images and bad list lines are counted and skipped
     * @param cacheMb    per-JVM cache of encoded image bytes, in MiB
     */
    public record ImageFiles(String trainDir, String valDir, int imageSize, int evalResize, boolean skipBad,
            int cacheMb) implements Serializable {}

    /**
     * @param classOrder a permutation of all class ids; task t gets the t-th equal slice of it (class-incremental)
     * @param splitSeed  seed of the data-incremental split (and of the permuted-pixels parts and shuffles)
     * @param splitFile  data-incremental: a stored permutation of the training images ("" = draw one)
     * @param domains    domain-incremental: the domain of each task, in order
     */
    public record Scenario(ScenarioType type, int tasks, List<Integer> classOrder, long splitSeed, String splitFile,
            List<String> domains) implements Serializable {

        public List<Integer> classesOfTask(int task) {
            int per = classOrder.size() / tasks;
            return classOrder.subList(task * per, (task + 1) * per);
        }
    }

    /** Augmentation of both views; mean and std have one entry per image channel. */
    public record Augment(ViewAugment view1, ViewAugment view2, double[] mean, double[] std)
            implements Serializable {
        public ViewAugment view(int v) {
            return v == 0 ? view1 : view2;
        }
    }

    /** One view's augmentation (docs/reference.md §6.1): crop, jitter, grayscale, blur, solarise, flip. */
    public record ViewAugment(
            double cropMinScale, double cropMaxScale, double ratioMin, double ratioMax,
            double jitterProb, double brightness, double contrast, double saturation, double hue,
            double grayscaleProb, double blurProb, double solarizeProb, double flipProb) implements Serializable {}

    /**
     * @param encoder        the encoder's architecture
     * @param batchNormViews whether training-mode batch norms normalise each view apart (the reference) or both
     */
    public record Model(EncoderKind encoder, BatchNormViews batchNormViews) implements Serializable {}

    /** @param kind the method; selects which of the method blocks is used */
    public record Method(MethodKind kind) implements Serializable {
        /** The method's name in configuration files and results. */
        public String name() {
            return kind.configName();
        }
    }

    /** SimCLR (docs/reference.md §2, §3.1, §4, §5.1). */
    public record Simclr(double temperature, int projHiddenDim, int projOutputDim, int distillProjHiddenDim,
            double distillTemperature, double distillLamb) implements Serializable {}

    /** Barlow Twins (docs/reference.md §2, §3.5, §4, §5.4). */
    public record Barlow(int projHiddenDim, int projOutputDim, double lamb, double scaleLoss, int distillProjHiddenDim,
            double distillLamb, double distillBarlowLamb, double distillScaleLoss, double negativeLamb)
            implements Serializable {}

    /** VICReg (docs/reference.md §2, §3.6, §4, §5.5). */
    public record Vicreg(int projHiddenDim, int projOutputDim, double simLossWeight, double varLossWeight,
            double covLossWeight, int distillProjHiddenDim, double distillLamb, double negativeLamb)
            implements Serializable {}

    /** BYOL (docs/reference.md §2, §3.3, §3.4, §4, §5.3). */
    public record Byol(int projHiddenDim, int projOutputDim, int predHiddenDim, double baseTauMomentum,
            double finalTauMomentum, int distillProjHiddenDim, double distillLamb, double negativeLamb)
            implements Serializable {}

    /**
     * MoCo v2+ (docs/reference.md §2, §3.2, §3.4, §4, §5.2).
     *
     * @param queueSize keys per view in each queue (K); a multiple of the global batch
     */
    public record Moco(double temperature, int projHiddenDim, int projOutputDim, int queueSize, double baseTauMomentum,
            double finalTauMomentum, int distillProjHiddenDim, double distillTemperature, double distillLamb)
            implements Serializable {}

    /**
     * @param strategy     the continual strategy (continual.strategy) and its settings
     * @param frozenBnMode batch-norm mode of the frozen previous model when it produces targets
     */
    public record Continual(StrategyChoice strategy, FrozenBnMode frozenBnMode) implements Serializable {}

    /**
     * A continual strategy by name, with the numbers of its block {@code continual.strategies.<name>}; the
     * strategies themselves (package {@code continual}) check the values they read.
     */
    public record StrategyChoice(String configName, Map<String, Double> settings) implements Named, Serializable {
        public StrategyChoice {
            settings = new java.util.TreeMap<>(settings);
        }

        /** The key of one of its settings, for messages. */
        public String key(String setting) {
            return "continual.strategies." + configName + "." + setting;
        }
    }

    /**
     * @param optimizer          momentum SGD or the reference's LARS
     * @param excludeBiasAndNorm no weight decay (and no LARS) for biases and batch-norm parameters
     */
    public record Optim(OptimizerKind optimizer, int epochs, double lr, double momentum, double weightDecay,
            double larsEta, boolean excludeBiasAndNorm, int warmupEpochs, double warmupStartLr, double minLr)
            implements Serializable {}

    /** @param workers parameter-averaging replicas; 0 = the Spark context's default parallelism, read where a job starts */
    public record SparkSettings(String master, int workers, int batchSizePerWorker, int averagingFrequency,
            int threadsPerTask, Map<String, String> conf) implements Serializable {}

    /**
     * @param probeProtocol L-BFGS logistic regression or the reference's SGD schedule
     * @param probeDriverMaxMb the fast probe is fitted on the driver when the training features take at most this
     *                         many MiB as float64, else by Spark MLlib on the executors (0: always MLlib)
     */
    public record Eval(ProbeProtocol probeProtocol, int probeMaxIter, double probeRegParam, int probeDriverMaxMb,
            OfflineProbe offline, Knn knn, boolean randomInitBaseline, int batchSize, boolean foldBatchNorm,
            boolean featureDrift) implements Serializable {}

    /**
     * The reference's linear evaluation (docs/reference.md §8.2) on frozen features.
     *
     * @param lr         0 = the reference's rate for the method
     * @param milestones fractions of the epochs after which the rate is multiplied by gamma
     */
    public record OfflineProbe(int epochs, double lr, double momentum, double weightDecay, int batchSize,
            List<Double> milestones, double gamma) implements Serializable {}

    public record Knn(boolean enabled, int k, double temperature) implements Serializable {}

    /**
     * @param lockStaleSeconds a lock of the output directory not refreshed for this long belongs to a job that is
     *                         gone, and the next job takes it over (train.OutputLock)
     */
    public record Output(String dir, boolean overwrite, int lockStaleSeconds) implements Serializable {}

    /** @param everyEpochs write a resumable checkpoint every this many epochs inside a task; 0 = only after tasks */
    public record Checkpoint(int everyEpochs) implements Serializable {}

    /**
     * Faults injected on purpose, to show that the job survives them (off by default).
     *
     * @param failAttempt the first attempt of the Spark task that trains this round's second minibatch fails
     * @param nanInput    the inputs of this round's first minibatch become NaN, so the loss does
     */
    public record Fault(FaultPoint failAttempt, FaultPoint nanInput) implements Serializable {}

    /** A round of training: task, epoch and round index (0-based); task -1 = never. */
    public record FaultPoint(int task, int epoch, int round) implements Serializable {
        public boolean matches(int t, int e, int r) {
            return task >= 0 && task == t && epoch == e && round == r;
        }
    }
}

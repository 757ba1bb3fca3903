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
        Continual continual,
        Optim optim,
        SparkSettings spark,
        Eval eval,
        Output output,
        String hocon) implements Serializable {

    public record Run(String name, long seed) implements Serializable {}

    public record Data(DatasetKind dataset, String root, int maxTrainPerClass, int maxTestPerClass)
            implements Serializable {
        /** The value of data.root that selects the Fashion-MNIST sample bundled in the jar. */
        public static final String BUNDLED_SAMPLE = "sample";

        public boolean bundledSample() {
            return BUNDLED_SAMPLE.equals(root);
        }
    }

    /** @param classOrder a permutation of all class ids; task t gets the t-th equal slice of it */
    public record Scenario(String type, int tasks, List<Integer> classOrder) implements Serializable {
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

    /** The augmentation pipeline of one view (PNR_SPEC §6.1): crop, jitter, grayscale, blur, solarise, flip. */
    public record ViewAugment(
            double cropMinScale, double cropMaxScale, double ratioMin, double ratioMax,
            double jitterProb, double brightness, double contrast, double saturation, double hue,
            double grayscaleProb, double blurProb, double solarizeProb, double flipProb) implements Serializable {}

    public record Model(String encoder, int projectorHiddenDim, int projectorOutputDim, int distillProjHiddenDim)
            implements Serializable {}

    public record Method(String name, double temperature) implements Serializable {}

    public record Continual(Strategy strategy, double distillTemperature, double distillLamb,
            FrozenBnMode frozenBnMode) implements Serializable {}

    public record Optim(int epochs, double lr, double momentum, double weightDecay, int warmupEpochs,
            double warmupStartLr, double minLr) implements Serializable {}

    /** @param workers parameter-averaging replicas; 0 until resolved against the Spark context */
    public record SparkSettings(String master, int workers, int batchSizePerWorker, int averagingFrequency,
            int threadsPerTask, Map<String, String> conf) implements Serializable {}

    public record Eval(int probeMaxIter, double probeRegParam, int batchSize) implements Serializable {}

    public record Output(String dir, boolean overwrite) implements Serializable {}
}

package org.pnrspark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The effective configuration (defaults, files and overrides merged and resolved by {@link ConfigLoader}) as the
 * typed records of {@link JobConfig}: each section read and each value checked once, with a message naming the key,
 * the value, where it was set and what was expected.
 */
final class ConfigRecords {
    private ConfigRecords() {}

    static JobConfig of(Config c) {
        ConfigValues v = new ConfigValues(c);
        DatasetKind dataset = v.named("data.dataset", DatasetKind.class);

        String dataRoot = v.nonEmptyString("data.root");
        int numClasses = numClasses(v, dataset);
        JobConfig.ImageFiles images = imageFiles(v);
        JobConfig.Data data = new JobConfig.Data(dataset, dataRoot,
                v.intAtLeast("data.max_train_per_class", 0), v.intAtLeast("data.max_test_per_class", 0), numClasses,
                images);
        JobConfig.Scenario scenario = scenario(v, dataset, numClasses);

        JobConfig.Augment augment = new JobConfig.Augment(view(v, 0), view(v, 1),
                channelStats(v, "augment.mean", dataset.defaultMean(), dataset, false),
                channelStats(v, "augment.std", dataset.defaultStd(), dataset, true));

        JobConfig.Model model = new JobConfig.Model(v.named("model.encoder", EncoderKind.class),
                v.named("model.batch_norm_views", BatchNormViews.class));
        JobConfig.Method method = new JobConfig.Method(v.named("method.name", MethodKind.class));
        JobConfig.Simclr simclr = new JobConfig.Simclr(v.positive("simclr.temperature"),
                v.intAtLeast("simclr.proj_hidden_dim", 1), v.intAtLeast("simclr.proj_output_dim", 1),
                v.intAtLeast("simclr.distill_proj_hidden_dim", 1), v.positive("simclr.distill_temperature"),
                v.nonNegative("simclr.distill_lamb"));
        JobConfig.Barlow barlow = new JobConfig.Barlow(v.intAtLeast("barlow.proj_hidden_dim", 1),
                v.intAtLeast("barlow.proj_output_dim", 1), v.nonNegative("barlow.lamb"), v.positive("barlow.scale_loss"),
                v.intAtLeast("barlow.distill_proj_hidden_dim", 1), v.nonNegative("barlow.distill_lamb"),
                v.nonNegative("barlow.distill_barlow_lamb"), v.positive("barlow.distill_scale_loss"),
                v.nonNegative("barlow.negative_lamb"));
        JobConfig.Vicreg vicreg = new JobConfig.Vicreg(v.intAtLeast("vicreg.proj_hidden_dim", 1),
                v.intAtLeast("vicreg.proj_output_dim", 1), v.nonNegative("vicreg.sim_loss_weight"),
                v.nonNegative("vicreg.var_loss_weight"), v.nonNegative("vicreg.cov_loss_weight"),
                v.intAtLeast("vicreg.distill_proj_hidden_dim", 1), v.nonNegative("vicreg.distill_lamb"),
                v.nonNegative("vicreg.negative_lamb"));
        double[] byolTau = momentumTaus(v, MethodKind.BYOL.block());
        JobConfig.Byol byol = new JobConfig.Byol(v.intAtLeast("byol.proj_hidden_dim", 1),
                v.intAtLeast("byol.proj_output_dim", 1), v.intAtLeast("byol.pred_hidden_dim", 1), byolTau[0],
                byolTau[1], v.intAtLeast("byol.distill_proj_hidden_dim", 1), v.nonNegative("byol.distill_lamb"),
                v.nonNegative("byol.negative_lamb"));
        double[] mocoTau = momentumTaus(v, MethodKind.MOCOV2PLUS.block());
        JobConfig.Moco moco = new JobConfig.Moco(v.positive("mocov2plus.temperature"),
                v.intAtLeast("mocov2plus.proj_hidden_dim", 1), v.intAtLeast("mocov2plus.proj_output_dim", 1),
                v.intAtLeast("mocov2plus.queue_size", 1), mocoTau[0], mocoTau[1],
                v.intAtLeast("mocov2plus.distill_proj_hidden_dim", 1), v.positive("mocov2plus.distill_temperature"),
                v.nonNegative("mocov2plus.distill_lamb"));
        JobConfig.Continual continual = new JobConfig.Continual(strategy(v, c),
                v.named("continual.frozen_bn_mode", FrozenBnMode.class));

        int epochs = v.intAtLeast("optim.epochs", 1);
        int warmup = v.intAtLeast("optim.warmup_epochs", 0);
        if (warmup > epochs) {
            throw InvalidConfigException.expected("optim.warmup_epochs", warmup, v.origin("optim.warmup_epochs"),
                    "at most optim.epochs (" + epochs + ")");
        }
        JobConfig.Optim optim = new JobConfig.Optim(v.named("optim.optimizer", OptimizerKind.class), epochs,
                v.positive("optim.lr"), v.fraction("optim.momentum"), v.nonNegative("optim.weight_decay"),
                v.positive("optim.lars_eta"), v.bool("optim.exclude_bias_n_norm"), warmup,
                v.nonNegative("optim.warmup_start_lr"), v.nonNegative("optim.min_lr"));

        int batch = v.intAtLeast("spark.batch_size_per_worker", 2);
        JobConfig.SparkSettings spark = new JobConfig.SparkSettings(v.nonEmptyString("spark.master"),
                v.intAtLeast("spark.workers", 0), batch, v.intAtLeast("spark.averaging_frequency", 1),
                v.intAtLeast("spark.threads_per_task", 0), sparkProperties(c));

        List<Double> milestones = v.doubleList("eval.linear_probe.offline.milestones");
        for (double m : milestones) {
            if (!(m > 0 && m < 1)) {
                throw InvalidConfigException.expected("eval.linear_probe.offline.milestones", milestones,
                        v.origin("eval.linear_probe.offline.milestones"), "fractions of the epochs in (0, 1)");
            }
        }
        JobConfig.OfflineProbe offline = new JobConfig.OfflineProbe(v.intAtLeast("eval.linear_probe.offline.epochs", 1),
                v.nonNegative("eval.linear_probe.offline.lr"), v.fraction("eval.linear_probe.offline.momentum"),
                v.nonNegative("eval.linear_probe.offline.weight_decay"),
                v.intAtLeast("eval.linear_probe.offline.batch_size", 1), List.copyOf(milestones),
                v.fraction("eval.linear_probe.offline.gamma"));
        JobConfig.Knn knn = new JobConfig.Knn(v.bool("eval.knn.enabled"), v.intAtLeast("eval.knn.k", 1),
                v.positive("eval.knn.temperature"));
        JobConfig.Eval eval = new JobConfig.Eval(v.named("eval.linear_probe.protocol", ProbeProtocol.class),
                v.intAtLeast("eval.linear_probe.max_iter", 1), v.nonNegative("eval.linear_probe.reg_param"),
                v.intAtLeast("eval.linear_probe.driver_max_mb", 0), offline, knn, v.bool("eval.random_init_baseline"),
                v.intAtLeast("eval.batch_size", 1), v.bool("eval.fold_batch_norm"), v.bool("eval.feature_drift"));

        JobConfig.Output output = new JobConfig.Output(c.getString("output.dir").trim(), v.bool("output.overwrite"),
                v.intAtLeast("output.lock_stale_seconds", 1));
        JobConfig.Checkpoint checkpoint = new JobConfig.Checkpoint(v.intAtLeast("checkpoint.every_epochs", 0));
        JobConfig.Fault fault = new JobConfig.Fault(faultPoint(v, "fault.fail_attempt"), faultPoint(v, "fault.nan_input"));

        return new JobConfig(new JobConfig.Run(v.nonEmptyString("run.name"), v.longValue("run.seed")), data,
                scenario, augment, model, method, simclr, barlow, vicreg, byol, moco, continual, optim, spark, eval, output, checkpoint, fault, Redaction.hocon(c));
    }

    /**
     * continual.strategy names one of the blocks of continual.strategies (reference.conf has one per strategy, with
     * its settings, and lists them in the order the message of a wrong name gives them); its settings are that
     * block's numbers.
     */
    private static JobConfig.StrategyChoice strategy(ConfigValues v, Config c) {
        String blocks = "continual.strategies";
        var strategies = c.getConfig(blocks).root();
        String name = v.oneOf("continual.strategy", strategies.keySet().stream()
                .sorted(java.util.Comparator.comparingInt(k -> strategies.get(k).origin().lineNumber()))
                .toArray(String[]::new));
        String block = blocks + "." + ConfigUtil.quoteString(name);
        Map<String, Double> settings = new TreeMap<>();
        for (String setting : c.getConfig(block).root().keySet()) {
            settings.put(setting, v.number(block + "." + ConfigUtil.quoteString(setting)));
        }
        return new JobConfig.StrategyChoice(name, settings);
    }

    private static JobConfig.FaultPoint faultPoint(ConfigValues v, String block) {
        return new JobConfig.FaultPoint(v.intAtLeast(block + ".task", -1), v.intAtLeast(block + ".epoch", 0),
                v.intAtLeast(block + ".round", 0));
    }

    /** data.num_classes: required for image folders; for the other datasets 0 keeps the dataset's own count. */
    private static int numClasses(ConfigValues v, DatasetKind dataset) {
        int n = v.intAtLeast("data.num_classes", 0);
        if (n == 0 && dataset == DatasetKind.IMAGE_FOLDER) {
            throw InvalidConfigException.expected("data.num_classes", n, v.origin("data.num_classes"),
                    "the number of class folders of the image-folder dataset (an integer >= 1)");
        }
        if (n > 0 && !dataset.imageFiles() && n != dataset.numClasses()) {
            throw InvalidConfigException.expected("data.num_classes", n, v.origin("data.num_classes"),
                    "0 or " + dataset.numClasses() + " for " + dataset.configName());
        }
        return n == 0 ? dataset.numClasses() : n;
    }

    private static JobConfig.ImageFiles imageFiles(ConfigValues v) {
        int size = v.intAtLeast("data.image_size", 8);
        int resize = v.intAtLeast("data.eval_resize", 8);
        if (resize < size) {
            throw InvalidConfigException.expected("data.eval_resize", resize, v.origin("data.eval_resize"),
                    "at least data.image_size (" + size + "): the centre crop is taken from the resized image");
        }
        return new JobConfig.ImageFiles(v.nonEmptyString("data.train_dir"), v.nonEmptyString("data.val_dir"), size,
                resize, v.oneOf("data.bad_images", "fail", "skip").equals("skip"), v.intAtLeast("data.cache_mb", 0));
    }

    private static JobConfig.Scenario scenario(ConfigValues v, DatasetKind dataset, int numClasses) {
        ScenarioType type = v.named("scenario.type", ScenarioType.class);
        int tasks = v.intAtLeast("scenario.tasks", 1);
        if (type == ScenarioType.CLASS_INCREMENTAL && numClasses % tasks != 0) {
            throw InvalidConfigException.expected("scenario.tasks", tasks, v.origin("scenario.tasks"),
                    "a number of tasks that divides the " + numClasses + " classes of "
                            + dataset.configName() + " (" + divisors(numClasses) + ")");
        }
        List<Integer> order = v.intList("scenario.class_order");
        long orderSeed = v.longValue("scenario.class_order_seed");
        if (order.isEmpty()) {
            order = orderSeed >= 0 ? seededOrder(numClasses, orderSeed)
                    : DatasetKind.defaultClassOrder(dataset, numClasses);
        } else {
            checkPermutation(order, dataset, numClasses, v.origin("scenario.class_order"));
            if (orderSeed >= 0) {
                throw InvalidConfigException.expected("scenario.class_order_seed", orderSeed,
                        v.origin("scenario.class_order_seed"), "-1 when scenario.class_order lists the order itself");
            }
        }
        List<String> domains = v.stringList("scenario.domains");
        if (domains.isEmpty() || new HashSet<>(domains).size() != domains.size()
                || domains.stream().anyMatch(d -> !d.matches("[A-Za-z0-9_.-]+"))) {
            throw InvalidConfigException.expected("scenario.domains", domains, v.origin("scenario.domains"),
                    "a list of distinct domain names (letters, digits, _ . -), e.g. [real, quickdraw, painting, "
                            + "sketch, infograph, clipart]");
        }
        if (type == ScenarioType.DOMAIN_INCREMENTAL) {
            if (dataset != DatasetKind.DOMAINNET) {
                throw InvalidConfigException.expected("scenario.type", type.configName(), v.origin("scenario.type"),
                        "class-incremental, data-incremental or permuted-pixels for " + dataset.configName()
                                + " (domain-incremental needs data.dataset = domainnet)");
            }
            if (tasks != domains.size()) {
                throw InvalidConfigException.expected("scenario.tasks", tasks, v.origin("scenario.tasks"),
                        domains.size() + ": one task per domain of scenario.domains " + domains);
            }
        }
        String splitFile = v.c().getString("scenario.split_file").trim();
        if (type == ScenarioType.PERMUTED_PIXELS && !splitFile.isEmpty()) {
            throw InvalidConfigException.expected("scenario.split_file", splitFile, v.origin("scenario.split_file"),
                    "\"\" for permuted-pixels, which draws its parts and shuffles from scenario.split_seed");
        }
        return new JobConfig.Scenario(type, tasks, List.copyOf(order), v.longValue("scenario.split_seed"), splitFile,
                List.copyOf(domains));
    }

    /** [base, final] τ of a momentum target, base in [0, 1] and final in [base, 1]. */
    private static double[] momentumTaus(ConfigValues v, String block) {
        double baseTau = v.fraction(block + ".base_tau_momentum");
        double finalTau = v.number(block + ".final_tau_momentum");
        if (finalTau < baseTau || finalTau > 1) {
            throw InvalidConfigException.expected(block + ".final_tau_momentum", finalTau,
                    v.origin(block + ".final_tau_momentum"), "a number in [" + block + ".base_tau_momentum, 1]");
        }
        return new double[] {baseTau, finalTau};
    }

    private static JobConfig.ViewAugment view(ConfigValues v, int i) {
        double minScale = v.pair("augment.crop_min_scale", i, 0, 1, false);
        double maxScale = v.pair("augment.crop_max_scale", i, 0, 1, false);
        if (minScale > maxScale) {
            throw InvalidConfigException.expected("augment.crop_min_scale", minScale,
                    v.origin("augment.crop_min_scale"), "at most augment.crop_max_scale (" + maxScale + ")");
        }
        List<Double> ratio = v.doubleList("augment.crop_ratio");
        if (ratio.size() != 2 || ratio.get(0) <= 0 || ratio.get(0) > ratio.get(1)) {
            throw InvalidConfigException.expected("augment.crop_ratio", ratio, v.origin("augment.crop_ratio"),
                    "[min, max] with 0 < min <= max");
        }
        return new JobConfig.ViewAugment(minScale, maxScale, ratio.get(0), ratio.get(1),
                v.pair("augment.jitter_prob", i, 0, 1, true),
                v.pair("augment.brightness", i, 0, Double.MAX_VALUE, true),
                v.pair("augment.contrast", i, 0, Double.MAX_VALUE, true),
                v.pair("augment.saturation", i, 0, Double.MAX_VALUE, true),
                v.pair("augment.hue", i, 0, 0.5, true),
                v.pair("augment.grayscale_prob", i, 0, 1, true),
                v.pair("augment.blur_prob", i, 0, 1, true),
                v.pair("augment.solarize_prob", i, 0, 1, true),
                v.pair("augment.horizontal_flip_prob", i, 0, 1, true));
    }

    private static double[] channelStats(ConfigValues v, String key, double[] defaults, DatasetKind dataset,
            boolean positive) {
        List<Double> values = v.doubleList(key);
        if (values.isEmpty()) return defaults;
        if (values.size() != dataset.channels() || (positive && values.stream().anyMatch(x -> x <= 0))) {
            throw InvalidConfigException.expected(key, values, v.origin(key), dataset.channels()
                    + " value(s), one per channel of " + dataset.configName() + (positive ? ", each > 0" : "")
                    + ", or [] for the dataset's own");
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A permutation of 0..n-1 drawn from the seed (Fisher-Yates on SplitMix64). */
    static List<Integer> seededOrder(int n, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return List.of(order);
    }

    private static void checkPermutation(List<Integer> order, DatasetKind dataset, int numClasses, String origin) {
        Set<Integer> seen = new HashSet<>(order);
        boolean inRange = order.stream().allMatch(x -> x >= 0 && x < numClasses);
        if (order.size() != numClasses || seen.size() != order.size() || !inRange) {
            throw InvalidConfigException.expected("scenario.class_order", order, origin,
                    "[] or a permutation of the class ids 0.." + (numClasses - 1) + " of "
                            + dataset.configName() + ", each exactly once");
        }
    }

    private static Map<String, String> sparkProperties(Config c) {
        Map<String, String> props = new TreeMap<>();
        if (!c.hasPath(ConfigLoader.SPARK_PASS_THROUGH)) return props;
        for (Map.Entry<String, ConfigValue> e : c.getConfig(ConfigLoader.SPARK_PASS_THROUGH).entrySet()) {
            String key = e.getKey().replace("\"", "");
            props.put(key, String.valueOf(e.getValue().unwrapped()));
        }
        return props;
    }

    private static String divisors(int n) {
        List<String> ds = new ArrayList<>();
        for (int d = 1; d <= n; d++) if (n % d == 0) ds.add(Integer.toString(d));
        return String.join(", ", ds);
    }
}

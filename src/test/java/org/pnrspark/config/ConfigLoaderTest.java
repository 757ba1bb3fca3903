package org.pnrspark.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private static JobConfig load(String text, String... sets) {
        return ConfigLoader.load(List.of(new ConfigLoader.Source("test.conf", text)), List.of(sets));
    }

    private static InvalidConfigException rejected(String text, String... sets) {
        return assertThrows(InvalidConfigException.class, () -> load(text, sets));
    }

    @Test
    void credentialsInSparkPropertiesAreNotWrittenWithTheResults() {
        JobConfig c = load("spark.conf { \"spark.hadoop.fs.s3a.secret.key\" = \"abc123\", "
                + "\"spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net\" = \"xyz789\", "
                + "\"spark.executor.memory\" = \"8g\" }");
        assertEquals("abc123", c.spark().conf().get("spark.hadoop.fs.s3a.secret.key"), "Spark still gets the value");
        assertFalse(c.hocon().contains("abc123") || c.hocon().contains("xyz789"), c.hocon());
        assertTrue(c.hocon().contains("<redacted>") && c.hocon().contains("8g"), c.hocon());
        JobConfig uri = load("data.root = \"s3a://me:s3cr3t@bucket/data\"\nspark.conf { \"spark.executor.cores\" = 4 }");
        assertFalse(uri.hocon().contains("s3cr3t"), uri.hocon());
        assertTrue(uri.hocon().contains("s3a://me:<redacted>@bucket/data") && uri.hocon().contains("spark.executor.cores"),
                uri.hocon());
        assertEquals("s3a://me:s3cr3t@bucket/data", uri.data().root(), "the job still reads with it");
    }

    @Test
    void defaultsLoadAndValidate() {
        JobConfig c = load("");
        assertEquals("pnr", c.continual().strategy().configName());
        assertEquals(DatasetKind.FASHION_MNIST, c.data().dataset());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), c.scenario().classOrder());
        assertEquals(List.of(4, 5), c.scenario().classesOfTask(2));
        assertEquals(0.0, c.augment().view1().solarizeProb());
        assertEquals(0.2, c.augment().view2().solarizeProb());
        assertTrue(c.hocon().contains("distill_temperature"), "effective configuration is rendered");
    }

    @Test
    void laterSourcesAndOverridesWin() {
        JobConfig c = ConfigLoader.load(List.of(new ConfigLoader.Source("a.conf", "optim.lr = 0.1\noptim.epochs = 3"),
                new ConfigLoader.Source("b.conf", "optim.lr = 0.2")), List.of("optim.epochs=7"));
        assertEquals(0.2, c.optim().lr());
        assertEquals(7, c.optim().epochs());
    }

    @Test
    void overridesOfStringsNeedNoQuoting() {
        JobConfig c = load("", "data.root=hdfs://namenode:8020/data/fmnist", "spark.master=local[4]",
                "spark.conf.spark.executor.memory=8g", "augment.solarize_prob=0.1,0.3");
        assertEquals("hdfs://namenode:8020/data/fmnist", c.data().root());
        assertEquals("local[4]", c.spark().master());
        assertEquals("8g", c.spark().conf().get("spark.executor.memory"));
        assertEquals(0.3, c.augment().view2().solarizeProb());
    }

    @Test
    void quotedOverridesAreHoconStrings() {
        JobConfig c = load("", "spark.master=\"local-cluster[2,1,3072]\"", "data.root=\"/data/a b\"",
                "spark.conf.spark.executor.memory=\"3g\"", "run.name=\"x\\\"y\"");
        assertEquals("local-cluster[2,1,3072]", c.spark().master());
        assertEquals("/data/a b", c.data().root());
        assertEquals("3g", c.spark().conf().get("spark.executor.memory"));
        assertEquals("x\"y", c.run().name());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> load("", "data.root=\"a\\\""));
        assertEquals("data.root", e.key());
    }

    @Test
    void cifarDefaultsToTheReferenceClassOrder() {
        JobConfig c = load("data.dataset = cifar100\ndata.root = /tmp/x");
        assertEquals(List.of(11, 22, 39, 23, 42, 30, 78, 81, 64, 20, 29, 79, 15, 69, 86, 63, 55, 53, 73, 68),
                c.scenario().classesOfTask(0));
        assertEquals(3, c.augment().mean().length);
    }

    @Test
    void unknownMethodNamesKeyAndChoices() {
        InvalidConfigException e = rejected("method.name = simsiam");
        assertEquals("method.name", e.key());
        assertTrue(e.getMessage().contains("\"simsiam\"") && e.getMessage().contains("simclr"), e.getMessage());
    }

    @Test
    void everyClosedChoiceReadsItsSpellingsAndListsThemWhenWrong() {
        assertEquals(List.of(EncoderKind.SMALL_CNN, EncoderKind.RESNET18_CIFAR, EncoderKind.RESNET18_IMAGENET),
                List.of("small-cnn", "resnet18-cifar", "resnet18-imagenet").stream()
                        .map(v -> load("", "model.encoder=" + v).model().encoder()).toList());
        assertEquals(List.of(OptimizerKind.SGD, OptimizerKind.LARS), List.of("sgd", "lars").stream()
                .map(v -> load("", "optim.optimizer=" + v).optim().optimizer()).toList());
        assertEquals(List.of(ProbeProtocol.FAST, ProbeProtocol.OFFLINE), List.of("fast", "offline").stream()
                .map(v -> load("", "eval.linear_probe.protocol=" + v).eval().probeProtocol()).toList());
        assertEquals(List.of(ScenarioType.CLASS_INCREMENTAL, ScenarioType.DATA_INCREMENTAL),
                List.of("class-incremental", "data-incremental").stream()
                        .map(v -> load("", "scenario.type=" + v).scenario().type()).toList());
        assertEquals(FrozenBnMode.FIRST_EPOCH_EVAL,
                load("", "continual.frozen_bn_mode=first-epoch-eval").continual().frozenBnMode());
        InvalidConfigException e = rejected("", "model.encoder=resnet50");
        assertEquals("model.encoder", e.key());
        assertTrue(e.getMessage().contains("one of: small-cnn, resnet18-cifar, resnet18-imagenet"), e.getMessage());
        InvalidConfigException upper = rejected("", "optim.optimizer=SGD");
        assertTrue(upper.getMessage().contains("one of: sgd, lars"), upper.getMessage());
    }

    @Test
    void unknownStrategyNamesKeyAndChoices() {
        InvalidConfigException e = rejected("", "continual.strategy=ewc");
        assertEquals("continual.strategy", e.key());
        assertTrue(e.getMessage().contains("finetune, cassle, pnr"), e.getMessage());
        assertTrue(e.getMessage().contains("--set continual.strategy=ewc"), "names where it was set: " + e.getMessage());
    }

    @Test
    void negativeLearningRate() {
        InvalidConfigException e = rejected("optim {\n  lr = -0.5\n}");
        assertEquals("optim.lr", e.key());
        assertTrue(e.getMessage().contains("-0.5") && e.getMessage().contains("> 0"), e.getMessage());
        assertTrue(e.getMessage().contains("test.conf: 2"), "names file and line: " + e.getMessage());
    }

    @Test
    void classesNotDivisibleByTasks() {
        InvalidConfigException e = rejected("scenario.tasks = 3");
        assertEquals("scenario.tasks", e.key());
        assertTrue(e.getMessage().contains("1, 2, 5, 10"), e.getMessage());
    }

    @Test
    void unknownKeySuggestsTheClosest() {
        InvalidConfigException e = rejected("optim.learning_rat = 0.1");
        assertEquals("optim.learning_rat", e.key());
        e = rejected("optim.lrr = 0.1");
        assertTrue(e.getMessage().contains("did you mean optim.lr"), e.getMessage());
        e = rejected("", "optim.nope=1");
        assertEquals("optim.nope", e.key());
    }

    @Test
    void wrongTypes() {
        assertEquals("optim.epochs", rejected("optim.epochs = many").key());
        assertEquals("augment.solarize_prob", rejected("augment.solarize_prob = 0.5").key());
        assertEquals("augment.solarize_prob", rejected("augment.solarize_prob = [0.5, 1.5]").key());
        assertEquals("optim.momentum", rejected("optim.momentum = 1.0").key());
    }

    @Test
    void classOrderMustBeAPermutation() {
        assertEquals("scenario.class_order", rejected("scenario.class_order = [0, 1, 2]").key());
        assertEquals("scenario.class_order", rejected("scenario.class_order = [0,1,2,3,4,5,6,7,8,8]").key());
        JobConfig c = load("scenario.class_order = [9,8,7,6,5,4,3,2,1,0]");
        assertEquals(List.of(9, 8), c.scenario().classesOfTask(0));
    }

    @Test
    void syntaxErrorsNameTheFile() {
        InvalidConfigException e = rejected("optim { lr = ");
        assertTrue(e.getMessage().contains("test.conf"), e.getMessage());
    }

    @Test
    void editDistance() {
        assertEquals(0, ConfigLoader.editDistance("abc", "abc"));
        assertEquals(1, ConfigLoader.editDistance("optim.lr", "optim.lrr"));
        assertEquals(3, ConfigLoader.editDistance("kitten", "sitting"));
    }

    @Test
    void permutedPixelsTakesItsPartsFromTheSeedAndNamesTheDomainSplitsItNeeds() {
        assertTrue(load("scenario { type = \"permuted-pixels\", tasks = 4 }").scenario().type().shufflesPixels());
        InvalidConfigException e = rejected("scenario { type = \"permuted-pixels\", split_file = \"parts.txt\" }");
        assertTrue(e.getMessage().contains("scenario.split_file") && e.getMessage().contains("scenario.split_seed"),
                e.getMessage());
        e = rejected("scenario { type = \"domain-incremental\" }");
        assertTrue(e.getMessage().contains("permuted-pixels"), e.getMessage());
    }
}

package org.pnrspark.method;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.model.Networks;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every method under every strategy: the networks of task 0 and task 1, their objectives and a training step. */
class MethodsTest {
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({
            "simclr, finetune, nt_xent, nt_xent",
            "simclr, cassle, nt_xent, cassle_contrastive",
            "simclr, pnr, nt_xent, simclr_pnr",
            "barlow, finetune, barlow, barlow",
            "barlow, cassle, barlow, cassle_decorrelative",
            "barlow, pnr, barlow, barlow_pnr",
            "vicreg, finetune, vicreg, vicreg",
            "vicreg, cassle, vicreg, cassle_predictive_mse",
            "vicreg, pnr, vicreg, vicreg_pnr",
            "byol, finetune, byol, byol",
            "byol, cassle, byol, cassle_predictive",
            "byol, pnr, byol, byol_pnr",
            "mocov2plus, finetune, moco, moco",
            "mocov2plus, cassle, moco, cassle_contrastive",
            "mocov2plus, pnr, moco, moco_pnr",
            "simclr, feature-distill, nt_xent, cassle_predictive",
            "barlow, feature-distill, barlow, cassle_predictive",
            "vicreg, feature-distill, vicreg, cassle_predictive",
            "byol, feature-distill, byol, cassle_predictive",
            "mocov2plus, feature-distill, moco, cassle_predictive"})
    void networksObjectivesAndAStep(String method, String strategy, String task0Loss, String task1Loss) {
        List<String> sets = new java.util.ArrayList<>(List.of("method.name=" + method, "continual.strategy=" + strategy,
                method + ".proj_hidden_dim=64", method + ".proj_output_dim=32", method + ".distill_proj_hidden_dim=64"));
        if (method.equals("byol")) sets.add("byol.pred_hidden_dim=64");
        // MoCo: queues of 16 keys per view, spread over minibatches of 8
        sets.addAll(List.of("mocov2plus.queue_size=16", "spark.batch_size_per_worker=8"));
        JobConfig cfg = ConfigLoader.load(List.of(), sets);
        SslMethod m = Methods.of(cfg);
        assertTrue(m.describeObjective(0).contains(task0Loss), m.describeObjective(0));
        assertTrue(m.describeObjective(1).contains(task1Loss), m.describeObjective(1));
        boolean frozen = !strategy.equals("finetune");
        boolean momentum = m.momentum().isPresent();
        assertEquals(method.equals("byol") || method.equals("mocov2plus"), momentum);
        assertEquals(frozen, m.usesFrozenModel(1));
        int queues = m.queues(1).map(SslMethod.QueueSpec::count).orElse(0);
        assertEquals(method.equals("mocov2plus") ? (strategy.equals("pnr") ? 2 : 1) : 0, queues);
        int queueWidth = 2 * 32 * 16 / 8;
        int width = (frozen ? 64 : 0) + (momentum ? 64 : 0) + queues * queueWidth;
        assertEquals(width == 0 ? 1 : width, m.targetWidth(1));

        ComputationGraph task0 = Networks.build(m.online(0));
        ComputationGraph task1 = Networks.build(m.online(1));
        List<String> carried = Networks.copyParameters(task0, task1);
        assertTrue(carried.contains("enc_conv1") && carried.contains("proj_fc2"), carried.toString());
        ComputationGraph teacher = Networks.build(m.frozen());
        Networks.copyParameters(task0, teacher);

        Nd4j.getRandom().setSeed(4);
        INDArray views = Nd4j.rand(DataType.FLOAT, 8, 2, 28, 28);
        INDArray f = teacher.outputSingle(false, views);
        assertArrayEquals(new long[] {8, 64}, f.shape());
        java.util.List<INDArray> parts = new java.util.ArrayList<>();
        if (momentum) parts.add(teacher.outputSingle(true, views));
        if (frozen) parts.add(f);
        for (int q = 0; q < queues; q++) {
            INDArray queue = org.pnrspark.train.KeyQueues.initial(32, 16, q).queue(q);
            parts.add(queue.reshape('c', 8, queueWidth));
        }
        INDArray labels = parts.isEmpty() ? Nd4j.zeros(DataType.FLOAT, 8, 1) : Nd4j.hstack(parts.toArray(INDArray[]::new));
        // the loss as training computes it (batch statistics), before and after three steps on the same batch
        double before = task1.score(new DataSet(views, labels), true);
        for (int i = 0; i < 3; i++) task1.fit(new DataSet(views, labels));
        double after = task1.score(new DataSet(views, labels), true);
        assertTrue(Double.isFinite(before) && Double.isFinite(after), before + " " + after);
        assertTrue(after < before, method + " x " + strategy + ": loss did not fall on a repeated batch: " + before + " -> " + after);
    }
}

package org.pnrspark.train;

import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.SslLossLayer;
import org.pnrspark.data.ImageAccess;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The terms of the objective, one by one, on a fixed minibatch (the task's first of the epoch) after each epoch,
 * computed on the driver with the averaged network: the loss layer only reports their weighted sum, and the
 * curves should show which term moves. The same views, targets and queues as in training; nothing of the
 * networks' state changes (batch norm in training mode only updates running statistics in a backward pass).
 */
final class LossTermProbe {
    private final TaskBatchLoader views;
    private final ComputationGraph frozen;

    LossTermProbe(JobConfig config, ImageAccess imageAccess, Broadcast<ModelSnapshot> frozen) {
        this.views = new TaskBatchLoader(config, imageAccess, List.of());
        this.frozen = frozen == null ? null : frozen.value().build();
    }

    /** The weighted value of each term on the minibatch, by the loss layer's term labels. */
    Map<String, Double> measure(ComputationGraph online, BatchPath batch, ComputationGraph momentum,
            boolean frozenBatchStatistics, KeyQueues queues, int queueCount) {
        INDArray x = views.views(batch);
        List<INDArray> labels = new ArrayList<>();
        if (momentum != null) labels.add(momentum.outputSingle(true, x));
        if (frozen != null) labels.add(frozen.outputSingle(frozenBatchStatistics, x));
        for (int q = 0; q < queueCount; q++) labels.add(queues.queue(q).dup('c').reshape('c', x.size(0), -1));
        INDArray y = labels.isEmpty() ? Nd4j.zeros(x.dataType(), x.size(0), 1)
                : labels.size() == 1 ? labels.get(0) : Nd4j.hstack(labels.toArray(INDArray[]::new));
        String lossInput = online.getConfiguration().getVertexInputs().get(SslMethod.LOSS_LAYER).get(0);
        INDArray input = online.feedForward(new INDArray[] {x}, true, false).get(lossInput);
        SslLossLayer loss = (SslLossLayer) ((LayerVertex) online.getConfiguration().getVertices()
                .get(SslMethod.LOSS_LAYER)).getLayerConf().getLayer();
        Map<String, Double> values = loss.termValues(input, y);
        online.clearLayersStates();
        return values;
    }
}

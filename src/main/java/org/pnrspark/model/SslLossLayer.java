package org.pnrspark.model;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.loss.LossOps;
import org.pnrspark.loss.LossParams;
import org.pnrspark.loss.Losses;
import org.pnrspark.loss.SslLoss;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The output layer of the online network: a weighted sum of {@link org.pnrspark.loss.SslLoss} terms over a
 * whole minibatch. Its input holds, per image, the named embeddings side by side ({@code [z1 | z2 | p1 | p2]},
 * each {@code dim} wide); its labels hold the teacher's outputs ({@code [f1 | f2]}), or one dummy column when the
 * objective needs none, followed by MoCo's key queues if it has any.
 *
 * <p>A queue is a (2, dim, K) constant of the whole minibatch, not a per-example value. It travels in the labels
 * all the same, spread over the minibatch's rows: its elements in row-major order fill the rows one after the other,
 * {@code 2·dim·K / rows} per row, so that the layer can read it back with a reshape. This keeps the queue out of
 * the network's parameters (it is never averaged across workers) and lets the minibatch loader, which computes the
 * keys, own it.
 *
 * <p>DL4J sums losses over examples and divides both the score and the gradients by the minibatch size; the
 * reference's losses are batch means, so the layer's SameDiff loss is N × (weighted sum), giving DL4J's score =
 * the reference's loss and the reference's gradients.
 *
 * <p>A JSON bean (no-argument constructor, getters and setters): DL4J ships layer configurations to executors as JSON.
 */
public final class SslLossLayer extends SameDiffOutputLayer {
    private List<LossTerm> terms = new ArrayList<>();
    private List<String> inputLayout = new ArrayList<>();
    private List<String> labelLayout = new ArrayList<>();
    private int dim;
    private List<String> queues = new ArrayList<>();
    private int queueSize;
    private int rows;

    public SslLossLayer() {}

    public SslLossLayer(String name, List<LossTerm> terms, List<String> inputLayout, List<String> labelLayout, int dim) {
        this(name, terms, inputLayout, labelLayout, dim, List.of(), 0, 0);
    }

    /**
     * @param queues    names of the (2, dim, queueSize) queues that follow the labels
     * @param queueSize keys per view in each queue (K)
     * @param rows      the minibatch size the queues are spread over; K must be a multiple of it
     */
    public SslLossLayer(String name, List<LossTerm> terms, List<String> inputLayout, List<String> labelLayout, int dim,
            List<String> queues, int queueSize, int rows) {
        this.layerName = name;
        this.terms = new ArrayList<>(terms);
        this.inputLayout = new ArrayList<>(inputLayout);
        this.labelLayout = new ArrayList<>(labelLayout);
        this.dim = dim;
        this.queues = new ArrayList<>(queues);
        this.queueSize = queueSize;
        this.rows = rows;
        if (!queues.isEmpty() && (rows <= 0 || queueSize <= 0 || queueSize % rows != 0)) {
            throw new IllegalArgumentException("a queue of " + queueSize + " keys cannot be spread over minibatches of "
                    + rows + " rows: the queue size must be a positive multiple of the minibatch size");
        }
        for (LossTerm t : terms) {
            SslLoss loss = Losses.require(t.getLoss());
            for (String input : concat(loss.trainableInputs(), loss.constantInputs())) {
                String source = t.source(input);
                if (!inputLayout.contains(source) && !labelLayout.contains(source) && !queues.contains(source)) {
                    throw new IllegalArgumentException(t.getLoss() + " needs " + source + " (its input " + input
                            + "), which is neither in the input " + inputLayout + " nor in the labels " + labelLayout
                            + (queues.isEmpty() ? "" : " or queues " + queues));
                }
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Builds the runtime layer; silences ND4J's per-op console output of gradient construction first. */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, org.nd4j.linalg.api.buffer.DataType dataType) {
        org.pnrspark.util.QuietStdout.install();
        return super.instantiate(conf, listeners, layerIndex, layerParamsView, initializeParams, dataType);
    }

    /** Width of the labels this layer expects per example. */
    public int labelWidth() {
        return (labelLayout.isEmpty() ? 1 : labelLayout.size() * dim) + queues.size() * queueWidth();
    }

    /** Label columns per row that one queue takes. */
    public int queueWidth() {
        return queues.isEmpty() ? 0 : 2 * dim * (queueSize / rows);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, SDVariable labels,
            Map<String, SDVariable> paramTable) {
        SDVariable total = null;
        for (SDVariable value : defineTerms(sd, layerInput, labels).values()) {
            total = total == null ? value : total.add(value);
        }
        SDVariable loss = Objects.requireNonNull(total, "no loss terms").mul(LossOps.rowCount(sd, layerInput));
        loss.markAsLoss();
        return loss;
    }

    /** Each weighted term of the objective on the minibatch, by {@link #termLabels()}. */
    private Map<String, SDVariable> defineTerms(SameDiff sd, SDVariable layerInput, SDVariable labels) {
        Map<String, SDVariable> named = new HashMap<>();
        for (int i = 0; i < inputLayout.size(); i++) named.put(inputLayout.get(i), columns(layerInput, i));
        for (int i = 0; i < labelLayout.size(); i++) named.put(labelLayout.get(i), columns(labels, i));
        long queuesStart = (long) labelLayout.size() * dim;
        for (int i = 0; i < queues.size(); i++) {
            long start = queuesStart + (long) i * queueWidth();
            named.put(queues.get(i), labels.get(SDIndex.all(), SDIndex.interval(start, start + queueWidth()))
                    .reshape(2, dim, queueSize));
        }
        Map<String, SDVariable> values = new java.util.LinkedHashMap<>();
        List<String> names = termLabels();
        for (int k = 0; k < terms.size(); k++) {
            LossTerm term = terms.get(k);
            SslLoss loss = Losses.require(term.getLoss());
            Map<String, SDVariable> in = new HashMap<>();
            for (String name : loss.trainableInputs()) in.put(name, named.get(term.source(name)));
            for (String name : loss.constantInputs()) in.put(name, named.get(term.source(name)));
            SDVariable value = loss.define(sd, in, new LossParams(term.getParams()));
            if (term.getWeight() != 1.0) value = value.mul(term.getWeight());
            values.put(names.get(k), value);
        }
        return values;
    }

    /** A name per term: the loss's name, numbered when a loss appears more than once (BYOL's two directions). */
    public List<String> termLabels() {
        List<String> labels = new ArrayList<>();
        for (LossTerm t : terms) {
            long same = terms.stream().filter(o -> o.getLoss().equals(t.getLoss())).count();
            if (same == 1) {
                labels.add(t.getLoss());
            } else {
                long before = labels.stream().filter(l -> l.startsWith(t.getLoss() + "#")).count();
                labels.add(t.getLoss() + "#" + (before + 1));
            }
        }
        return labels;
    }

    /**
     * The value of each weighted term (weight × loss, batch means as the reference) on a minibatch, given the
     * layer's input activations and the minibatch's labels. Their sum is the training loss.
     */
    public Map<String, Double> termValues(INDArray layerInput, INDArray labels) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.constant("input", layerInput.dup());
        SDVariable lab = sd.constant("labels", labels.dup());
        Map<String, SDVariable> terms = defineTerms(sd, in, lab);
        Map<String, INDArray> values = sd.output(Map.of(), terms.values().stream().map(SDVariable::name).toList());
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (var e : terms.entrySet()) out.put(e.getKey(), values.get(e.getValue().name()).getDouble(0));
        return out;
    }

    private SDVariable columns(SDVariable x, int block) {
        return x.get(SDIndex.all(), SDIndex.interval(block * dim, (block + 1) * dim));
    }

    /** The layer's activations are its input (a pure loss layer). */
    @Override
    public String activationsVertexName() {
        return org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer.INPUT_KEY;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // no parameters
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // no parameters
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    public List<LossTerm> getTerms() {
        return terms;
    }

    public void setTerms(List<LossTerm> terms) {
        this.terms = new ArrayList<>(terms);
    }

    public List<String> getInputLayout() {
        return inputLayout;
    }

    public void setInputLayout(List<String> inputLayout) {
        this.inputLayout = new ArrayList<>(inputLayout);
    }

    public List<String> getLabelLayout() {
        return labelLayout;
    }

    public void setLabelLayout(List<String> labelLayout) {
        this.labelLayout = new ArrayList<>(labelLayout);
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public List<String> getQueues() {
        return queues;
    }

    public void setQueues(List<String> queues) {
        this.queues = new ArrayList<>(queues);
    }

    public int getQueueSize() {
        return queueSize;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public int getRows() {
        return rows;
    }

    public void setRows(int rows) {
        this.rows = rows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SslLossLayer l && super.equals(o) && l.terms.equals(terms)
                && l.inputLayout.equals(inputLayout) && l.labelLayout.equals(labelLayout) && l.dim == dim
                && l.queues.equals(queues) && l.queueSize == queueSize && l.rows == rows;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), terms, inputLayout, labelLayout, dim, queues, queueSize, rows);
    }
}

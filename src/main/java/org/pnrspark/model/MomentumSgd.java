package org.pnrspark.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Map;
import java.util.Objects;

/**
 * SGD with heavy-ball momentum as torch.optim.SGD computes it (no Nesterov, no dampening):
 * v ← μ·v + g; w ← w − lr·v. DL4J's own momentum updater is Nesterov's, which the reference does not use.
 * The learning rate is set by the driver once per epoch (warm-up + cosine), so no schedule is kept here.
 */
public final class MomentumSgd implements IUpdater {
    private double learningRate;
    private double momentum;

    /** For JSON deserialisation. */
    public MomentumSgd() {
        this(0.1, 0.9);
    }

    public MomentumSgd(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public double getMomentum() {
        return momentum;
    }

    public void setMomentum(double momentum) {
        this.momentum = momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return momentum == 0 ? 0 : numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        if (viewArray != null) u.setStateViewArray(viewArray, viewArray.shape(), 'c', initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public MomentumSgd clone() {
        return new MomentumSgd(learningRate, momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule != null) {
            throw new UnsupportedOperationException("MomentumSgd takes its learning rate from the driver, not a schedule");
        }
        this.learningRate = lr;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MomentumSgd m && m.learningRate == learningRate && m.momentum == momentum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum);
    }

    @Override
    public String toString() {
        return "MomentumSgd(lr=" + learningRate + ", momentum=" + momentum + ")";
    }

    /** The per-parameter-block state: the velocity v. */
    static final class Updater implements GradientUpdater<MomentumSgd> {
        static final String VELOCITY = "V";
        private final MomentumSgd config;
        private INDArray velocity;

        Updater(MomentumSgd config) {
            this.config = config;
        }

        @Override
        public MomentumSgd getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            if (config.momentum == 0) return;
            INDArray v = stateMap.get(VELOCITY);
            if (v == null) throw new IllegalStateException("MomentumSgd state has no '" + VELOCITY + "' array");
            velocity = v;
            if (initialize) velocity.assign(0);
        }

        @Override
        public Map<String, INDArray> getState() {
            return velocity == null ? Map.of() : Map.of(VELOCITY, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (config.momentum == 0) return;
            if (initialize) viewArray.assign(0);
            velocity = viewArray.reshape(gradientOrder, gradientShape);
        }

        /** Turns the gradient into the update that DL4J subtracts from the parameters. */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.learningRate;
            if (config.momentum == 0) {
                gradient.muli(lr);
                return;
            }
            velocity.muli(config.momentum).addi(gradient);
            gradient.assign(velocity).muli(lr);
        }
    }
}

package org.pnrspark.config;

/** How a continual run treats the tasks after the first one (PNR_SPEC §1.1, §4, §5). */
public enum Strategy implements Named {
    /** Plain self-supervised learning on every task. */
    FINETUNE("finetune"),
    /** CaSSLe: the method's loss plus distillation towards the frozen previous model. */
    CASSLE("cassle"),
    /** Pseudo-Negative Regularization: the frozen previous model also supplies pseudo-negatives. */
    PNR("pnr");

    private final String configName;

    Strategy(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    /** Whether task t needs the frozen previous model. */
    public boolean usesFrozenModel(int task) {
        return this != FINETUNE && task > 0;
    }
}

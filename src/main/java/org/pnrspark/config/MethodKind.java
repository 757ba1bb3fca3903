package org.pnrspark.config;

/**
 * The self-supervised methods, described once: each one's name in configuration files ({@code method.name}), the
 * block that holds its settings (defaults in {@code reference.conf}), and the learning rate of the reference's
 * linear evaluation for it (the same for CIFAR-100, ImageNet-100 and DomainNet; docs/reference.md §8.2).
 */
public enum MethodKind implements Named {
    SIMCLR("simclr", 1.0),
    MOCOV2PLUS("mocov2plus", 3.0),
    BYOL("byol", 3.0),
    BARLOW("barlow", 0.1),
    VICREG("vicreg", 0.3);

    private final String configName;
    private final double referenceProbeLr;

    MethodKind(String configName, double referenceProbeLr) {
        this.configName = configName;
        this.referenceProbeLr = referenceProbeLr;
    }

    @Override
    public String configName() {
        return configName;
    }

    /** The configuration block of the method's settings: {@code simclr { ... }}, {@code byol { ... }}, ... */
    public String block() {
        return configName;
    }

    /** The reference's linear-evaluation learning rate (eval.offline.lr = 0 selects it). */
    public double referenceProbeLr() {
        return referenceProbeLr;
    }
}

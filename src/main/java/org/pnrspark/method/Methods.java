package org.pnrspark.method;

import org.pnrspark.config.JobConfig;

/** The method a configuration names. */
public final class Methods {
    private Methods() {}

    public static SslMethod of(JobConfig config) {
        return switch (config.method().name()) {
            case "simclr" -> new SimclrMethod(config);
            case "barlow" -> new BarlowMethod(config);
            case "vicreg" -> new VicregMethod(config);
            case "byol" -> new ByolMethod(config);
            case "mocov2plus" -> new MocoMethod(config);
            default -> throw new IllegalArgumentException("unknown method " + config.method().name());
        };
    }
}

package org.pnrspark.method;

import org.pnrspark.config.JobConfig;

/** The method a configuration names. */
public final class Methods {
    private Methods() {}

    public static SslMethod of(JobConfig config) {
        return switch (config.method().kind()) {
            case SIMCLR -> new SimclrMethod(config);
            case MOCOV2PLUS -> new MocoMethod(config);
            case BYOL -> new ByolMethod(config);
            case BARLOW -> new BarlowMethod(config);
            case VICREG -> new VicregMethod(config);
        };
    }
}

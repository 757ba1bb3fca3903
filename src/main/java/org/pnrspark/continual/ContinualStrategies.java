package org.pnrspark.continual;

import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The continual strategies by their value of continual.strategy. Adding one: its class, a line here, and its block
 * (with its settings, if any) under continual.strategies in reference.conf.
 */
public final class ContinualStrategies {
    private static final Map<String, Function<JobConfig.StrategyChoice, ContinualStrategy>> ALL =
            new LinkedHashMap<>();

    static {
        ALL.put(Finetune.NAME, s -> new Finetune());
        ALL.put(Cassle.NAME, s -> new Cassle());
        ALL.put(Pnr.NAME, s -> new Pnr());
        ALL.put(FeatureDistill.NAME, s -> new FeatureDistill(nonNegative(s, "lamb")));
    }

    private ContinualStrategies() {}

    /** The configured strategy, its settings checked. */
    public static ContinualStrategy of(JobConfig config) {
        JobConfig.StrategyChoice choice = config.continual().strategy();
        var make = ALL.get(choice.configName());
        if (make == null) {
            throw InvalidConfigException.expected("continual.strategy", choice.configName(), "",
                    "one of: " + String.join(", ", ALL.keySet()));
        }
        return make.apply(choice);
    }

    public static Set<String> names() {
        return ALL.keySet();
    }

    private static double nonNegative(JobConfig.StrategyChoice s, String setting) {
        Double x = s.settings().get(setting);
        if (x == null || !(x >= 0) || x.isInfinite()) {
            throw InvalidConfigException.expected(s.key(setting), x, "", "a number >= 0");
        }
        return x;
    }
}

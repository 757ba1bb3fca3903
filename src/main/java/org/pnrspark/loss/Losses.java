package org.pnrspark.loss;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The losses pnr-spark implements, by their name in the golden files. */
public final class Losses {
    private static final Map<String, SslLoss> ALL = new LinkedHashMap<>();

    static {
        register(new NtXentLoss());
        register(new CassleContrastiveLoss());
        register(new SimclrPnrLoss());
        register(new MocoLoss());
        register(new MocoPnrLoss());
        register(new ByolLoss());
        register(new CasslePredictiveLoss());
        register(new ByolPnrLoss());
        register(new BarlowLoss());
        register(new CassleDecorrelativeLoss());
        register(new BarlowPnrLoss());
        register(new VicregLoss());
        register(new VicregPnrLoss());
        register(new CasslePredictiveMseLoss());
    }

    private Losses() {}

    private static void register(SslLoss loss) {
        ALL.put(loss.name(), loss);
    }

    public static Optional<SslLoss> byName(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    public static SslLoss require(String name) {
        return byName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown loss '" + name + "', expected one of " + ALL.keySet()));
    }

    public static Iterable<String> names() {
        return ALL.keySet();
    }
}

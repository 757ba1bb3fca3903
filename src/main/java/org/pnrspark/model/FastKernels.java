package org.pnrspark.model;

/**
 * Switches for pnr-spark's own layer kernels, each replacing a slow path of DL4J 1.0.0-M2.1 on the CPU
 * (README, "Performance notes"). All are on by default; the JVM property {@code pnr.fastKernels=false} turns them
 * all off, {@code pnr.fastKernels.<name>=false} one of them. They are read on every call, so that {@code bench
 * --profile --ab NAME} can time a network with and without one, alternating, in the same process:
 * <ul>
 * <li>{@code conv}: a convolution without activation does not run its forward pass again during backprop;</li>
 * <li>{@code bn}: batch normalisation's training-mode forward and backward with pnr-spark's Java kernels in float32
 *     ({@link FloatKernels}), ND4J row reductions and one-pass affine maps in float64, instead of DL4J's oneDNN
 *     helper and libnd4j's batchnorm_bp;</li>
 * <li>{@code relu}: a ReLU layer's forward and backward in one pass each, without DL4J's copy of the input (the
 *     float32 backward in Java).</li>
 * </ul>
 */
public final class FastKernels {
    public static volatile boolean conv = flag("conv");
    public static volatile boolean bn = flag("bn");
    public static volatile boolean relu = flag("relu");

    private FastKernels() {}

    private static boolean flag(String name) {
        return Boolean.parseBoolean(System.getProperty("pnr.fastKernels." + name,
                System.getProperty("pnr.fastKernels", "true")));
    }

    /** Sets one switch by name; returns its previous value. */
    public static boolean set(String name, boolean on) {
        boolean before;
        switch (name) {
            case "conv" -> { before = conv; conv = on; }
            case "bn" -> { before = bn; bn = on; }
            case "relu" -> { before = relu; relu = on; }
            default -> throw new IllegalArgumentException("no fast kernel named " + name + " (conv, bn, relu)");
        }
        return before;
    }
}

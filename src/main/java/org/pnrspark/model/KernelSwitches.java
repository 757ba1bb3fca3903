package org.pnrspark.model;

import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Switches for pnr-spark's own layer kernels, each replacing a slow path of DL4J 1.0.0-M2.1 on the CPU
 * (docs/performance.md). All are on by default; the JVM property {@code pnr.fastKernels=false} turns them
 * all off, {@code pnr.fastKernels.<name>=false} one of them. They are read on every call, so that {@code bench
 * --profile --ab NAME} can time a network with and without one, alternating, in the same process.
 *
 * <p>They run only on ND4J's CPU backend, whose arrays live in host memory: {@link FloatKernels} reads and writes
 * them through their host pointer, and the others were measured and checked there only. On any other backend
 * (CUDA, with -Pcuda) every layer runs DL4J's own implementation, whatever the switches say, and {@link #describe}
 * tells the log so.
 * <ul>
 * <li>{@code conv}: a convolution without activation does not run its forward pass again during backprop;</li>
 * <li>{@code bn}: batch normalisation's training-mode forward and backward with pnr-spark's Java kernels in float32
 *     ({@link FloatKernels}), ND4J row reductions and one-pass affine maps in float64, instead of DL4J's oneDNN
 *     helper and libnd4j's batchnorm_bp;</li>
 * <li>{@code relu}: a ReLU layer's forward and backward in one pass each, without DL4J's copy of the input (the
 *     float32 backward in Java);</li>
 * <li>{@code dense}: a dense layer does not run its forward pass again during backprop ({@link Dense}).</li>
 * </ul>
 */
public final class KernelSwitches {
    public static volatile boolean conv = flag("conv");
    public static volatile boolean bn = flag("bn");
    public static volatile boolean relu = flag("relu");
    public static volatile boolean dense = flag("dense");

    /** The class of ND4J's CPU backend (nd4j-native), named so that this compiles against any backend. */
    static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";
    /** The backend's class name as these switches see it; null: ND4J's. Tests substitute another backend's. */
    private static volatile String backendOverride;

    private KernelSwitches() {}

    /** Whether the convolution kernel runs: switched on, on the CPU backend. */
    public static boolean conv() {
        return conv && onCpuBackend();
    }

    /** Whether the batch-norm kernels run: switched on, on the CPU backend. */
    public static boolean bn() {
        return bn && onCpuBackend();
    }

    /** Whether the ReLU kernels run: switched on, on the CPU backend. */
    public static boolean relu() {
        return relu && onCpuBackend();
    }

    /** Whether the dense layers' backprop kernel runs: switched on, on the CPU backend. */
    public static boolean dense() {
        return dense && onCpuBackend();
    }

    /** Whether ND4J's backend is the CPU one (its arrays are host arrays). */
    public static boolean onCpuBackend() {
        return CPU_BACKEND.equals(backendName());
    }

    private static String backendName() {
        String name = backendOverride;
        return name != null ? name : Nd4j.getBackend().getClass().getName();
    }

    /**
     * For tests: makes the switches see a backend of that class name (null: ND4J's own again); returns the previous
     * override.
     */
    static String overrideBackend(String className) {
        String before = backendOverride;
        backendOverride = className;
        return before;
    }

    /**
     * For the log: which of pnr-spark's kernels the layers run, e.g. "pnr-spark's conv, bn, relu, dense", or "DL4J's
     * (JCublasBackend is not ND4J's CPU backend)".
     */
    public static String describe() {
        if (!onCpuBackend()) {
            String name = backendName();
            return "DL4J's (" + name.substring(name.lastIndexOf('.') + 1) + " is not ND4J's CPU backend)";
        }
        List<String> on = new ArrayList<>();
        if (conv) on.add("conv");
        if (bn) on.add("bn");
        if (relu) on.add("relu");
        if (dense) on.add("dense");
        return on.isEmpty() ? "DL4J's (switched off: -Dpnr.fastKernels=false)" : "pnr-spark's " + String.join(", ", on);
    }

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
            case "dense" -> { before = dense; dense = on; }
            default -> throw new IllegalArgumentException("no fast kernel named " + name + " (conv, bn, relu, dense)");
        }
        return before;
    }
}

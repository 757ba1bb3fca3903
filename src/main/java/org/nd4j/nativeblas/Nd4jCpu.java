package org.nd4j.nativeblas;

/**
 * Compatibility shim for DL4J 1.0.0-M2.1: its oneDNN layer helpers (convolution, batch norm, pooling) check for
 * oneDNN through {@code org.nd4j.nativeblas.Nd4jCpu$Environment.isUseMKLDNN()}, a class that ND4J 1.0.0-M2.1
 * moved to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} (method {@code isUseONEDNN()}).
 * Without this shim the check fails and DL4J silently falls back to its slower im2col/gemm implementations.
 * Only the two methods DL4J calls (by reflection) are provided; they delegate to the real environment, found by
 * reflection too, so that the same source compiles against the CUDA backend (-Pcuda), where there is no oneDNN.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {}

    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {}

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            try {
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                // not the CPU backend (or not loadable): no oneDNN, DL4J uses its own implementations
                return false;
            }
        }
    }
}

package org.pnrspark.bench;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchBenchTest {
    /** Before PyTorch is timed, the native memory of arrays no longer referenced goes back to the machine. */
    @Test
    void nativeMemoryOfUnreferencedArraysIsGivenBack() {
        long before = TorchBench.releaseNativeMemory();
        INDArray big = Nd4j.zeros(DataType.FLOAT, 100, 1024, 1024); // 400 MB, every page touched
        big.addi(1);
        long held = Pointer.physicalBytes();
        assertTrue(held > before + 300_000_000L, "the array should be resident: " + before + " -> " + held);
        big = null;
        long after = TorchBench.releaseNativeMemory();
        assertTrue(after < held - 300_000_000L, "resident " + held + " with the array, " + after + " after its release");
    }
}

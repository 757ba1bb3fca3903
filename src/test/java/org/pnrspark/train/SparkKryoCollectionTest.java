package org.pnrspark.train;

import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.ChildJvm;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bulk serializer keeps an array's memory alive while it copies it: a garbage collection in the middle of a
 * compiled write once freed a copied view under the copy and crashed the JVM (SIGSEGV in an arraycopy stub), so
 * this runs in a JVM of its own.
 */
class SparkKryoCollectionTest {
    @Test
    void aCollectionDuringTheCopyFreesNothingInUse() throws Exception {
        List<String> cmd = ChildJvm.command("-Xmx1g",
                "-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/hs_err_kryo_%p.log",
                "-cp", System.getProperty("java.class.path"), KryoCopyUnderCollection.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child JVM did not end");
        String console = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), console);
        assertTrue(console.contains("all rounds equal"), console);
    }
}

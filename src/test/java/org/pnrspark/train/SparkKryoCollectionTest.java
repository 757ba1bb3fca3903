package org.pnrspark.train;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        Path root = Path.of("").toAbsolutePath();
        String flags = Files.readAllLines(root.resolve("submit/jvm.properties")).stream()
                .filter(l -> l.startsWith("jvm.flags=")).findFirst().orElseThrow().substring("jvm.flags=".length());
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + "/bin/java");
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("-Xmx1g", "-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/hs_err_kryo_%p.log",
                "-cp", System.getProperty("java.class.path"), KryoCopyUnderCollection.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child JVM did not end");
        String console = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), console);
        assertTrue(console.contains("all rounds equal"), console);
    }
}

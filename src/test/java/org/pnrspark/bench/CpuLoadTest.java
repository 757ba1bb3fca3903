package org.pnrspark.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU accounting that lets bench --torch time PyTorch only once this JVM is idle, and say who else was busy. */
class CpuLoadTest {
    @Test
    void aSpinningThreadKeepsTheJvmFromBeingQuietUntilItStops() throws InterruptedException {
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (spin.get()) x += System.nanoTime() % 3;
            if (x == 42) System.out.print("");
        });
        spinner.start();
        try {
            CpuLoad.Quiet busy = CpuLoad.awaitQuiet(0.03, Duration.ofMillis(300), Duration.ofSeconds(1));
            assertFalse(busy.quiet(), busy.describe());
            // a whole core if the machine is free; still most of one when other processes share it
            assertTrue(busy.jvmCores() > 0.3, busy.describe());
            assertTrue(busy.seconds() >= 0.9 && busy.seconds() < 5, busy.describe());
        } finally {
            spin.set(false);
            spinner.join();
        }
        CpuLoad.Quiet idle = CpuLoad.awaitQuiet(0.03, Duration.ofMillis(300), Duration.ofSeconds(30));
        assertTrue(idle.quiet() && idle.jvmCores() < 0.03, idle.describe());
    }

    @Test
    void anotherProcessCountsAsTheMachinesOtherLoadAndNotAsTheJvms() throws Exception {
        CpuLoad.Mark mark = CpuLoad.Mark.now();
        Process burner = new ProcessBuilder("sh", "-c", "end=$(($(date +%s) + 2)); while [ $(date +%s) -lt $end ]; do :; done")
                .start();
        burner.waitFor();
        double others = mark.otherCores(0), jvm = mark.jvmCores();
        assertTrue(others > 0.4, "others " + others);
        assertTrue(jvm < 0.5, "jvm " + jvm);
        // the child's own CPU, when the caller accounts for it, is taken out of the others' share
        double child = others * mark.wallSeconds();
        assertTrue(mark.otherCores(child) < others, "with the child accounted for");
    }
}

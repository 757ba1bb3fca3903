package org.pnrspark.util;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * ND4J 1.0.0-M2.1 prints one "Added differentiated op ..." line to standard output per operation each time a
 * SameDiff gradient function is built, which happens for every loss layer on every worker in every averaging
 * round. This filter drops exactly those lines from System.out and passes everything else through.
 */
public final class QuietStdout extends OutputStream {
    private static final String NOISE = "Added differentiated op ";
    private static volatile boolean installed;

    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    private QuietStdout(PrintStream target) {
        this.target = target;
    }

    /** Installs the filter once per JVM (driver and executors). */
    public static void install() {
        if (installed) return;
        synchronized (QuietStdout.class) {
            if (installed) return;
            System.setOut(new PrintStream(new QuietStdout(System.out), true, StandardCharsets.UTF_8));
            installed = true;
        }
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') flushLine();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) write(b[i]);
    }

    @Override
    public synchronized void flush() {
        // a partial line stays buffered until its end arrives, unless it cannot be noise
        String pending = line.toString(StandardCharsets.UTF_8);
        if (!pending.isEmpty() && !NOISE.startsWith(pending.substring(0, Math.min(pending.length(), NOISE.length())))) {
            flushLine();
        }
        target.flush();
    }

    private void flushLine() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!s.startsWith(NOISE)) {
            target.print(s);
        }
    }
}

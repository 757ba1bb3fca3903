package org.pnrspark.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JVMs that tests start, with the flags every pnr-spark JVM gets (submit/jvm.properties). */
public final class ChildJvm {
    private ChildJvm() {}

    /** The value of jvm.flags in submit/jvm.properties (tests run from the project's root). */
    public static String flags() {
        Path file = Path.of("submit/jvm.properties").toAbsolutePath();
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith("jvm.flags=")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(file + " has no jvm.flags= line"))
                    .substring("jvm.flags=".length());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command line: this JVM's java, the flags, then the given options, main class and arguments. */
    public static List<String> command(String... rest) {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + "/bin/java");
        cmd.addAll(List.of(flags().split(" ")));
        cmd.addAll(List.of(rest));
        return cmd;
    }
}

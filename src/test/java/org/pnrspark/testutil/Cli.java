package org.pnrspark.testutil;

import org.pnrspark.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in this JVM and captures what it prints. */
public final class Cli {
    private Cli() {}

    public record Outcome(int code, String out, String err) {}

    public static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code parity} with the given arguments. */
    public static Outcome parity(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "parity";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(all);
    }
}

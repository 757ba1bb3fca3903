package org.pnrspark.cli;

import org.apache.hadoop.conf.Configuration;
import org.pnrspark.report.Comparison;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code compare RUN_DIR... [--out FILE.html]}: several runs side by side, from their results.json, as a console
 * table and an HTML page with plots (default {@code compare.html}).
 */
final class CompareCommand {
    static final String USAGE = """
            usage: pnr-spark compare RUN_DIR [RUN_DIR...] [--out FILE.html]

            Reads <RUN_DIR>/results.json of each run (any Hadoop file system: file://, hdfs://, ...), prints the
            accuracy on all classes after each task and the continual metrics side by side, and writes the same
            with plots to FILE.html (default: compare.html in the working directory).
            """;

    private CompareCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> runs = new ArrayList<>();
        String html = "compare.html";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out")) {
                if (++i >= args.length) return usage(err, "--out needs a file name");
                html = args[i];
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                out.print(USAGE);
                return 0;
            } else if (args[i].startsWith("-")) {
                return usage(err, "unknown argument \"" + args[i] + "\"");
            } else {
                runs.add(args[i]);
            }
        }
        if (runs.isEmpty()) return usage(err, "name at least one run directory");
        try {
            Storage storage = new Storage(new Configuration());
            Comparison comparison = Comparison.load(storage, runs);
            out.print(comparison.table());
            String target = storage.qualify(html);
            storage.writeString(target, comparison.html());
            out.println("comparison with plots: " + target);
            return 0;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int usage(PrintStream err, String message) {
        err.println("error: " + message);
        err.print(USAGE);
        return 2;
    }
}

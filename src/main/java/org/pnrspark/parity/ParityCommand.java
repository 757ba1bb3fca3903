package org.pnrspark.parity;

import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code parity --vectors FILE.json [--tol 1e-6]}: evaluates every case of a golden loss-vector file with pnr-spark's
 * own loss code, prints one line per case (value error, largest gradient error, pass or fail) and a summary.
 *
 * <p>{@code parity --networks FILE.json [--tol 1e-6] [--dtype float64|float32]}: builds every network of a network
 * parity file with pnr-spark's own network code and compares its outputs, running statistics and gradients with
 * PyTorch's ({@link NetworkParity}); one line per network and a summary.
 *
 * <p>Exit code 0 if every case passes, 1 if one fails or cannot be evaluated, 2 for bad arguments or a malformed
 * file.
 */
public final class ParityCommand {
    static final String USAGE = "usage: pnr-spark parity --vectors FILE.json [--tol 1e-6]\n"
            + "       pnr-spark parity --networks FILE.json [--tol 1e-6] [--dtype float64|float32] [--verbose]";

    private ParityCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String vectors = null;
        String networks = null;
        double tol = 1e-6;
        DataType dtype = DataType.DOUBLE;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vectors" -> vectors = i + 1 < args.length ? args[++i] : null;
                case "--networks" -> networks = i + 1 < args.length ? args[++i] : null;
                case "--verbose" -> verbose = true;
                case "--tol" -> {
                    try {
                        tol = Double.parseDouble(i + 1 < args.length ? args[++i] : "");
                    } catch (NumberFormatException e) {
                        err.println("error: --tol needs a number, e.g. 1e-6\n" + USAGE);
                        return 2;
                    }
                }
                case "--dtype" -> {
                    String d = i + 1 < args.length ? args[++i] : "";
                    switch (d) {
                        case "float64" -> dtype = DataType.DOUBLE;
                        case "float32" -> dtype = DataType.FLOAT;
                        default -> {
                            err.println("error: --dtype must be float64 or float32, got \"" + d + "\"\n" + USAGE);
                            return 2;
                        }
                    }
                }
                default -> {
                    err.println("error: unknown argument \"" + args[i] + "\"\n" + USAGE);
                    return 2;
                }
            }
        }
        if ((vectors == null) == (networks == null)) {
            err.println("error: give one of --vectors FILE.json (losses) and --networks FILE.json (networks)\n" + USAGE);
            return 2;
        }
        if (!(tol > 0)) {
            err.println("error: --tol must be > 0, got " + tol);
            return 2;
        }
        try {
            return vectors != null ? losses(vectors, tol, out) : networks(networks, tol, dtype, verbose, out);
        } catch (IOException e) {
            err.println("error: cannot read " + (vectors != null ? vectors : networks) + ": " + e.getMessage());
            return 2;
        } catch (GoldenVectors.MalformedException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int losses(String vectors, double tol, PrintStream out) throws IOException {
        List<GoldenCase> cases;
        try (InputStream in = Files.newInputStream(Path.of(vectors))) {
            cases = GoldenVectors.read(vectors, in);
        }
        int failed = 0;
        Set<String> families = new LinkedHashSet<>();
        out.printf(Locale.ROOT, "%-28s %-22s %12s %12s  %s%n", "case", "loss", "value err", "grad err", "result");
        for (GoldenCase c : cases) {
            families.add(c.loss());
            ParityCheck.Outcome o = ParityCheck.check(c);
            boolean pass = o.passes(tol);
            if (!pass) failed++;
            if (o.problem().isPresent()) {
                out.printf(Locale.ROOT, "%-28s %-22s %12s %12s  FAIL: %s%n", c.name(), c.loss(), "-", "-", o.problem().get());
            } else {
                out.printf(Locale.ROOT, "%-28s %-22s %12.3e %12.3e  %s%n", c.name(), c.loss(), o.valueError(),
                        o.maxGradientError(), pass ? "pass" : "FAIL (worst gradient: " + o.worstGradient() + ")");
            }
        }
        out.printf(Locale.ROOT, "%d loss families, %d cases: %d passed, %d failed (tolerance %.1e)%n", families.size(),
                cases.size(), cases.size() - failed, failed, tol);
        return failed == 0 ? 0 : 1;
    }

    private static int networks(String file, double tol, DataType dtype, boolean verbose, PrintStream out)
            throws IOException {
        NetworkVectors.File vectors;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            vectors = NetworkVectors.read(file, in);
        }
        int failed = 0;
        out.printf(Locale.ROOT, "%-34s %11s %11s %11s %11s %11s  %s%n", "network", "out eval", "out train", "running",
                "grad input", "grad param", "result");
        for (NetworkVectors.NetworkCase c : vectors.cases()) {
            NetworkParity.Outcome o = NetworkParity.check(c, vectors.dotWeights(), dtype);
            boolean pass = o.passes(tol);
            if (!pass) failed++;
            if (o.problem().isPresent()) {
                out.printf(Locale.ROOT, "%-34s %11s %11s %11s %11s %11s  FAIL: %s%n", c.name(), "-", "-", "-", "-", "-",
                        o.problem().get());
                continue;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-34s", c.name()));
            for (String q : NetworkParity.QUANTITIES) {
                double e = o.error(q);
                line.append(Double.isNaN(e) && !o.errors().containsKey(q) ? String.format("%12s", "-")
                        : String.format(Locale.ROOT, " %11.3e", e));
            }
            line.append("  ").append(pass ? "pass" : "FAIL (worst: " + o.worst() + ")");
            out.println(line);
            if (verbose) {
                o.arrayErrors().entrySet().stream().filter(e -> !(e.getValue() <= tol))
                        .forEach(e -> out.printf(Locale.ROOT, "    %-60s %11.3e%n", e.getKey(), e.getValue()));
            }
        }
        out.printf(Locale.ROOT, "%d networks (%s): %d passed, %d failed (tolerance %.1e, relative to max(|expected|, "
                + "rms))%n", vectors.cases().size(), dtype == DataType.DOUBLE ? "float64" : "float32",
                vectors.cases().size() - failed, failed, tol);
        return failed == 0 ? 0 : 1;
    }
}

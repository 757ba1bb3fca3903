package org.pnrspark.parity;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code parity --vectors FILE.json [--tol 1e-6]}: evaluates every case of a golden-vector file with pnr-spark's
 * own loss code, prints one line per case (value error, largest gradient error, pass or fail) and a summary.
 * Exit code 0 if every case passes, 1 if one fails or names an unknown loss, 2 for bad arguments or a malformed file.
 */
public final class ParityCommand {
    static final String USAGE = "usage: pnr-spark parity --vectors FILE.json [--tol 1e-6]";

    private ParityCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String vectors = null;
        double tol = 1e-6;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vectors" -> vectors = i + 1 < args.length ? args[++i] : null;
                case "--tol" -> {
                    try {
                        tol = Double.parseDouble(i + 1 < args.length ? args[++i] : "");
                    } catch (NumberFormatException e) {
                        err.println("error: --tol needs a number, e.g. 1e-6\n" + USAGE);
                        return 2;
                    }
                }
                default -> {
                    err.println("error: unknown argument \"" + args[i] + "\"\n" + USAGE);
                    return 2;
                }
            }
        }
        if (vectors == null) {
            err.println("error: --vectors FILE.json is required\n" + USAGE);
            return 2;
        }
        if (!(tol > 0)) {
            err.println("error: --tol must be > 0, got " + tol);
            return 2;
        }
        List<GoldenCase> cases;
        try (InputStream in = Files.newInputStream(Path.of(vectors))) {
            cases = GoldenVectors.read(vectors, in);
        } catch (IOException e) {
            err.println("error: cannot read " + vectors + ": " + e.getMessage());
            return 2;
        } catch (GoldenVectors.MalformedException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        int failed = 0;
        Set<String> families = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        out.printf(Locale.ROOT, "%-28s %-22s %12s %12s  %s%n", "case", "loss", "value err", "grad err", "result");
        for (GoldenCase c : cases) {
            families.add(c.loss());
            ParityCheck.Outcome o = ParityCheck.check(c);
            boolean pass = o.passes(tol);
            if (!pass) failed++;
            if (o.problem().isPresent()) {
                out.printf(Locale.ROOT, "%-28s %-22s %12s %12s  FAIL: %s%n", c.name(), c.loss(), "-", "-", o.problem().get());
                problems.add(c.name());
            } else {
                out.printf(Locale.ROOT, "%-28s %-22s %12.3e %12.3e  %s%n", c.name(), c.loss(), o.valueError(),
                        o.maxGradientError(), pass ? "pass" : "FAIL (worst gradient: " + o.worstGradient() + ")");
            }
        }
        out.printf(Locale.ROOT, "%d loss families, %d cases: %d passed, %d failed (tolerance %.1e)%n", families.size(),
                cases.size(), cases.size() - failed, failed, tol);
        return failed == 0 ? 0 : 1;
    }
}

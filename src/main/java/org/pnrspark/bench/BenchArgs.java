package org.pnrspark.bench;

/** Command-line values of the bench modes. */
final class BenchArgs {
    private BenchArgs() {}

    static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    static int positive(String v, String option) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": \"" + v + "\" is not a positive integer");
    }

    static double nonNegative(String v, String option) {
        try {
            double x = Double.parseDouble(v.trim());
            if (x >= 0 && Double.isFinite(x)) return x;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": \"" + v + "\" is not a number of seconds (0 or more)");
    }
}

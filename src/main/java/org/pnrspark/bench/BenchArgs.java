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

    /**
     * Spark masters separated by commas, where a master's own commas sit in brackets:
     * {@code local[1],local-cluster[4,1,2048]} is two masters.
     */
    static java.util.List<String> masters(String v) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i <= v.length(); i++) {
            char ch = i < v.length() ? v.charAt(i) : ',';
            if (ch == '[') depth++;
            if (ch == ']') depth--;
            if (ch == ',' && depth == 0) {
                String master = v.substring(from, i).trim();
                if (master.isEmpty()) throw new IllegalArgumentException("--masters: an empty master in \"" + v + "\"");
                out.add(master);
                from = i + 1;
            }
        }
        if (depth != 0) throw new IllegalArgumentException("--masters: unbalanced brackets in \"" + v + "\"");
        return java.util.List.copyOf(out);
    }
}

package org.pnrspark.util;

import java.util.Locale;

/** Durations as the console shows them: 42s, 14m32s, 3h05m. */
public final class Durations {
    private Durations() {}

    public static String format(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}

package org.pnrspark.train;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Progress lines on the driver's console: what runs, how fast, and how long is left. */
public final class ProgressLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;

    public ProgressLog(PrintStream out) {
        this.out = out;
    }

    public void line(String format, Object... args) {
        out.println(LocalTime.now().format(TIME) + "  " + String.format(Locale.ROOT, format, args));
        out.flush();
    }

    public static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}

package org.pnrspark.train;

import org.pnrspark.util.Durations;

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

    /** As {@link Durations#format}, which the report package shares. */
    public static String duration(double seconds) {
        return Durations.format(seconds);
    }
}

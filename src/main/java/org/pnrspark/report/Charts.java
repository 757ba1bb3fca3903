package org.pnrspark.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the HTML reports: no script, no external resource, so a report opens anywhere (also
 * offline, straight from HDFS through a file browser).
 */
final class Charts {
    /** Matplotlib's tab10 palette. */
    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"};

    private static final int WIDTH = 640, HEIGHT = 320, LEFT = 56, RIGHT = 150, TOP = 34, BOTTOM = 44;

    private Charts() {}

    /** One line of a chart; NaN values leave gaps. */
    record Series(String name, String color, double[] xs, double[] ys, boolean bold) {}

    static String color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /**
     * A line chart. {@code yMin}/{@code yMax} NaN = from the data; {@code xTicks} label x = 0, 1, ... when given
     * (else numeric ticks); {@code markers} draw dashed vertical lines (task boundaries).
     */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, double yMin, double yMax,
            List<String> xTicks, List<Double> markers) {
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY, yHi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.xs().length; i++) {
                if (!Double.isFinite(s.ys()[i])) continue;
                xLo = Math.min(xLo, s.xs()[i]);
                xHi = Math.max(xHi, s.xs()[i]);
                yLo = Math.min(yLo, s.ys()[i]);
                yHi = Math.max(yHi, s.ys()[i]);
            }
        }
        if (xTicks != null && !xTicks.isEmpty()) {
            xLo = 0;
            xHi = Math.max(1, xTicks.size() - 1);
        }
        if (!Double.isFinite(xLo)) {
            xLo = 0;
            xHi = 1;
        }
        if (xHi == xLo) xHi = xLo + 1;
        if (!Double.isNaN(yMin)) yLo = yMin;
        if (!Double.isNaN(yMax)) yHi = yMax;
        if (!Double.isFinite(yLo) || !Double.isFinite(yHi)) {
            yLo = 0;
            yHi = 1;
        }
        if (yHi == yLo) {
            yHi = yLo + 1;
            yLo = yLo - 1;
        }
        double pad = Double.isNaN(yMin) ? 0.05 * (yHi - yLo) : 0;
        yLo -= pad;
        yHi += pad;
        Scale sx = new Scale(xLo, xHi, LEFT, WIDTH - RIGHT), sy = new Scale(yLo, yHi, HEIGHT - BOTTOM, TOP);

        StringBuilder svg = open(title);
        // grid and y ticks
        for (double y : ticks(yLo, yHi, 5)) {
            double py = sy.map(y);
            svg.append(line(LEFT, py, WIDTH - RIGHT, py, "#e0e0e0", 1, false));
            svg.append(text(LEFT - 6, py + 4, number(y), "end", 11, "#333"));
        }
        // x ticks
        if (xTicks != null && !xTicks.isEmpty()) {
            for (int i = 0; i < xTicks.size(); i++) {
                svg.append(text(sx.map(i), HEIGHT - BOTTOM + 16, xTicks.get(i), "middle", 11, "#333"));
            }
        } else {
            List<Double> xt = ticks(xLo, xHi, 6);
            // whole-number axes (epochs) get whole-number ticks
            boolean whole = series.stream().allMatch(se -> java.util.Arrays.stream(se.xs()).allMatch(x -> x == Math.rint(x)));
            if (whole && xt.size() > 1 && xt.get(1) - xt.get(0) < 1) xt = ticks(xLo, Math.max(xHi, xLo + 1), Math.max(1, (int) (xHi - xLo)));
            for (double x : xt) {
                svg.append(text(sx.map(x), HEIGHT - BOTTOM + 16, number(x), "middle", 11, "#333"));
            }
        }
        for (double m : markers == null ? List.<Double>of() : markers) {
            svg.append(line(sx.map(m), TOP, sx.map(m), HEIGHT - BOTTOM, "#999", 1, true));
        }
        svg.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "#333", 1, false));
        svg.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "#333", 1, false));
        svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 8, xLabel, "middle", 12, "#333"));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" "
                + "text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">%s</text>%n", (TOP + HEIGHT - BOTTOM) / 2.0,
                (TOP + HEIGHT - BOTTOM) / 2.0, escape(yLabel)));
        // lines, legend
        int legend = 0;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < s.xs().length; i++) {
                if (!Double.isFinite(s.ys()[i])) {
                    pen = false;
                    continue;
                }
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f", sx.map(s.xs()[i]),
                        sy.map(s.ys()[i])));
                pen = true;
            }
            double width = s.bold() ? 3 : 1.6;
            if (path.length() > 0) {
                svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\">"
                        + "<title>%s</title></path>%n", path.toString().trim(), s.color(), width, escape(s.name())));
                if (s.xs().length <= 40) {
                    for (int i = 0; i < s.xs().length; i++) {
                        if (!Double.isFinite(s.ys()[i])) continue;
                        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\">"
                                + "<title>%s: %s</title></circle>%n", sx.map(s.xs()[i]), sy.map(s.ys()[i]),
                                s.bold() ? 3.5 : 2.5, s.color(), escape(s.name()), number(s.ys()[i])));
                    }
                }
            }
            double ly = TOP + 6 + 18 * legend++;
            svg.append(line(WIDTH - RIGHT + 12, ly, WIDTH - RIGHT + 32, ly, s.color(), width, false));
            svg.append(text(WIDTH - RIGHT + 38, ly + 4, s.name(), "start", 11, "#333"));
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * A heat map of values in [0, 1] (NaN = empty cell), with the value in percent in each cell.
     */
    static String heatMap(String title, double[][] values, List<String> rowLabels, List<String> colLabels) {
        int rows = values.length, cols = colLabels.size();
        double cell = Math.max(26, Math.min(56, 440.0 / Math.max(rows, cols)));
        int left = 90, top = 50;
        int width = (int) Math.max(300, left + cell * cols + 20), height = (int) (top + cell * rows + 16);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "role=\"img\" aria-label=\"%s\">%n", width, height, width, height, escape(title)));
        svg.append(text(8, 18, title, "start", 14, "#111"));
        for (int c = 0; c < cols; c++) {
            svg.append(text(left + cell * (c + 0.5), top - 8, colLabels.get(c), "middle", 11, "#333"));
        }
        for (int r = 0; r < rows; r++) {
            svg.append(text(left - 8, top + cell * (r + 0.62), rowLabels.get(r), "end", 11, "#333"));
            for (int c = 0; c < cols; c++) {
                double v = c < values[r].length ? values[r][c] : Double.NaN;
                double x = left + cell * c, y = top + cell * r;
                String fill = Double.isFinite(v) ? blue(v) : "#f5f5f5";
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\" stroke=\"#fff\"><title>%s, %s: %s</title></rect>%n", x, y, cell, cell, fill,
                        escape(rowLabels.get(r)), escape(colLabels.get(c)), Double.isFinite(v) ? percent(v) : "-"));
                if (Double.isFinite(v)) {
                    svg.append(text(x + cell / 2, y + cell * 0.6, percent(v), "middle", 11, v > 0.6 ? "#fff" : "#111"));
                }
            }
        }
        return svg.append("</svg>\n").toString();
    }

    /** White (0) to dark blue (1). */
    static String blue(double v) {
        double t = Math.max(0, Math.min(1, v));
        int r = (int) Math.round(247 + t * (8 - 247)), g = (int) Math.round(251 + t * (48 - 251)),
                b = (int) Math.round(255 + t * (107 - 255));
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private static StringBuilder open(String title) {
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "role=\"img\" aria-label=\"%s\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT, escape(title)));
        svg.append(text(LEFT, 18, title, "start", 14, "#111"));
        return svg;
    }

    private record Scale(double lo, double hi, double from, double to) {
        double map(double v) {
            return from + (v - lo) / (hi - lo) * (to - from);
        }
    }

    /** About n round tick values covering [lo, hi]. */
    static List<Double> ticks(double lo, double hi, int n) {
        double raw = (hi - lo) / n;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag * (raw / mag >= 5 ? 5 : raw / mag >= 2 ? 2 : 1);
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.add(Math.abs(v) < 1e-12 ? 0 : v);
        return out;
    }

    static String number(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.2g", v);
        String s = String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.3f", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s;
    }

    private static String line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"%.1f\"%s/>%n", x1, y1, x2, y2, color, width, dashed ? " stroke-dasharray=\"4 3\"" : "");
    }

    private static String text(double x, double y, String s, String anchor, int size, String color) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" "
                + "fill=\"%s\">%s</text>%n", x, y, anchor, size, color, escape(s));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package org.pnrspark.image;

/**
 * Resizes a region of an image as PIL does: a separable filter whose support widens when shrinking so that
 * downscaling is antialiased. Bicubic (a = -0.5) is what torchvision's RandomResizedCrop uses on PIL images,
 * bilinear what its Resize does for the evaluation transform. Images are channel-major float arrays; the result is
 * rounded and clamped to 0..255 as PIL's 8-bit output is.
 */
public final class Resampler {
    /** PIL's filters, with their support at scale 1. */
    public enum Filter {
        BICUBIC(2.0), BILINEAR(1.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }
    }

    private Resampler() {}

    /**
     * Resamples the box [x0, x0+boxW) x [y0, y0+boxH) of src (channels x srcH x srcW) to outH x outW into dst,
     * bicubic.
     */
    public static void resize(float[] src, int channels, int srcH, int srcW, int y0, int x0, int boxH, int boxW,
            float[] dst, int outH, int outW) {
        resize(src, channels, srcH, srcW, y0, x0, boxH, boxW, dst, outH, outW, Filter.BICUBIC);
    }

    public static void resize(float[] src, int channels, int srcH, int srcW, int y0, int x0, int boxH, int boxW,
            float[] dst, int outH, int outW, Filter filter) {
        Coefficients cx = coefficients(x0, boxW, srcW, outW, filter);
        Coefficients cy = coefficients(y0, boxH, srcH, outH, filter);
        int rowFirst = cy.first[0];
        int rowLast = 0;
        for (int o = 0; o < outH; o++) rowLast = Math.max(rowLast, cy.first[o] + cy.count[o]);
        int rows = rowLast - rowFirst;
        float[] tmp = new float[rows * outW];
        for (int c = 0; c < channels; c++) {
            int plane = c * srcH * srcW;
            for (int r = 0; r < rows; r++) {
                int rowBase = plane + (rowFirst + r) * srcW;
                for (int o = 0; o < outW; o++) {
                    double acc = 0;
                    int f = cx.first[o];
                    double[] k = cx.weights[o];
                    for (int t = 0; t < cx.count[o]; t++) acc += k[t] * src[rowBase + f + t];
                    tmp[r * outW + o] = (float) acc;
                }
            }
            int outPlane = c * outH * outW;
            for (int o = 0; o < outH; o++) {
                int f = cy.first[o] - rowFirst;
                double[] k = cy.weights[o];
                for (int x = 0; x < outW; x++) {
                    double acc = 0;
                    for (int t = 0; t < cy.count[o]; t++) acc += k[t] * tmp[(f + t) * outW + x];
                    dst[outPlane + o * outW + x] = clamp255((float) Math.rint(acc));
                }
            }
        }
    }

    /** Clamps to 0..255, as PIL's 8-bit output is. */
    public static float clamp255(float v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    private record Coefficients(int[] first, int[] count, double[][] weights) {}

    /** PIL's precompute_coeffs for one axis. */
    private static Coefficients coefficients(int in0, int inLen, int inSize, int outSize, Filter filter) {
        double scale = (double) inLen / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        double ss = 1.0 / filterScale;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        double[][] weights = new double[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double[] k = new double[Math.max(xmax, 0)];
            double sum = 0;
            for (int x = 0; x < xmax; x++) {
                double u = (x + xmin - center + 0.5) * ss;
                double w = filter == Filter.BICUBIC ? cubic(u) : triangle(u);
                k[x] = w;
                sum += w;
            }
            if (sum != 0) for (int x = 0; x < xmax; x++) k[x] /= sum;
            first[xx] = xmin;
            count[xx] = Math.max(xmax, 0);
            weights[xx] = k;
        }
        return new Coefficients(first, count, weights);
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static double cubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
}

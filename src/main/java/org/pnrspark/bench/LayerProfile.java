package org.pnrspark.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.model.KernelSwitches;
import org.pnrspark.util.NativeThreads;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench --profile}: the time of every vertex of the training graph, forward and backward, for one encoder and
 * minibatch, next to the whole step. The graph is walked vertex by vertex in topological order (forward, training
 * mode) and back (backward), as {@link ComputationGraph} does, but without workspaces (every array is a fresh
 * allocation), so the per-vertex sum is compared with the real {@code computeGradientAndScore} and {@code fit} in
 * the same process, alternating. Per vertex the minimum over the repeats (the machine is shared), the totals
 * as minimum and median. The optimizer's update is timed alone on the gradient of
 * the last pass. Layer types are summed in a second table. With {@code --ab NAME} every measurement is made with
 * the fast kernel NAME ({@link KernelSwitches}) off (A) and on (B), alternating, on the same network.
 */
final class LayerProfile {
    private LayerProfile() {}

    static int run(List<ConfigLoader.Source> sources, List<String> baseSets, List<String> encoders,
            List<Integer> batches, int repeats, int threads, String ab, double warmupSeconds, PrintStream out) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        NativeThreads.applyForSparkTask(n);
        for (String encoder : encoders) {
            for (int batch : batches) {
                List<String> s = new ArrayList<>(baseSets);
                s.add("model.encoder=" + encoder);
                s.add("data.dataset=" + (encoder.equals("small-cnn") ? "fashion-mnist" : "cifar100"));
                s.add("scenario.class_order=[]");
                s.add("spark.batch_size_per_worker=" + batch);
                profile(ConfigLoader.load(sources, s), encoder, batch, repeats, n, ab, warmupSeconds, out);
            }
        }
        return 0;
    }

    private static void profile(JobConfig c, String encoder, int batch, int repeats, int threads, String ab,
            double warmupSeconds, PrintStream out) {
        BenchCommand.SyntheticStep step = BenchCommand.SyntheticStep.of(c, batch);
        ComputationGraph net = step.net();
        DataSet data = step.data();
        INDArray views = data.getFeatures(), labels = data.getLabels();
        // the JIT compiler, oneDNN's primitives, workspaces
        JitWarmup.Summary warmup = JitWarmup.run(() -> net.fit(data), warmupSeconds);

        GraphVertex[] vertices = net.getVertices();
        int[] order = net.topologicalSortOrder();
        Map<String, String> kind = new LinkedHashMap<>();
        for (int idx : order) kind.put(vertices[idx].getVertexName(), kindOf(vertices[idx]));
        boolean[] states = ab == null ? new boolean[] {true} : new boolean[] {false, true};
        int k = states.length;
        List<Map<String, double[]>> fwd = new ArrayList<>(), bwd = new ArrayList<>();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        double[][] fitCpu = new double[k][repeats];
        double[][] fit = new double[k][repeats], raw = new double[k][repeats], walk = new double[k][repeats],
                update = new double[k][repeats];
        for (int j = 0; j < k; j++) {
            fwd.add(new LinkedHashMap<>());
            bwd.add(new LinkedHashMap<>());
            for (String name : kind.keySet()) {
                fwd.get(j).put(name, new double[repeats]);
                bwd.get(j).put(name, new double[repeats]);
            }
        }
        boolean threadsAb = "threads".equals(ab);
        boolean before = ab == null || threadsAb ? false : KernelSwitches.set(ab, true);
        try {
            for (int j = 0; j < k; j++) {
                setState(ab, states[j], threads);
                net.fit(data);
                walk(net, vertices, order, views, labels, fwd.get(j), bwd.get(j), 0);
            }
            for (int r = 0; r < repeats; r++) {
                for (int jj = 0; jj < k; jj++) {
                    int j = r % 2 == 0 ? jj : k - 1 - jj; // A B, B A, A B, ...
                    setState(ab, states[j], threads);
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    net.fit(data);
                    fit[j][r] = (System.nanoTime() - t0) / 1e6;
                    fitCpu[j][r] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6;
                    raw[j][r] = BenchCommand.forwardBackwardMs(net, views, labels);
                    t0 = System.nanoTime();
                    walk(net, vertices, order, views, labels, fwd.get(j), bwd.get(j), r);
                    walk[j][r] = (System.nanoTime() - t0) / 1e6;
                    net.setInputs(views);
                    net.setLabels(labels);
                    net.computeGradientAndScore();
                    Gradient g = net.gradient();
                    t0 = System.nanoTime();
                    net.getUpdater().update(g, 0, 0, batch, LayerWorkspaceMgr.noWorkspaces());
                    update[j][r] = (System.nanoTime() - t0) / 1e6;
                    net.clear();
                }
            }
        } finally {
            if (threadsAb) NativeThreads.applyForSparkTask(threads);
            else if (ab != null) KernelSwitches.set(ab, before);
        }

        out.printf(Locale.ROOT, "%n== profile: %s, batch %d (x2 views), %d threads, %d repeats%s; per vertex: the "
                + "minimum over the repeats ==%n", encoder, batch, threads, repeats,
                ab == null ? "" : ab.equals("threads") ? ", 1 thread (A) and " + threads + " (B), alternating"
                        : ", fast kernel '" + ab + "' off (A) and on (B), alternating");
        out.println(warmup.describe());
        for (int j = 0; j < k; j++) {
            out.printf(Locale.ROOT, "%smin / median: fit %.1f / %.1f ms | computeGradientAndScore %.1f / %.1f ms | "
                            + "vertex walk (no workspaces) %.1f / %.1f ms | updater.update alone %.1f / %.1f ms%n",
                    ab == null ? "" : (j == 0 ? "A: " : "B: "), Repeats.min(fit[j]), Repeats.median(fit[j]),
                    Repeats.min(raw[j]), Repeats.median(raw[j]), Repeats.min(walk[j]), Repeats.median(walk[j]),
                    Repeats.min(update[j]), Repeats.median(update[j]));
        }
        if (ab != null) {
            double[] ratio = new double[repeats];
            for (int r = 0; r < repeats; r++) ratio[r] = fit[0][r] / fit[1][r];
            out.printf(Locale.ROOT, "fit time A/B per repeat: min %.2f, median %.2f, max %.2f%n", Repeats.min(ratio),
                    Repeats.median(ratio), Repeats.max(ratio));
            for (int r = 0; r < repeats; r++) ratio[r] = fitCpu[0][r] / fitCpu[1][r];
            out.printf(Locale.ROOT, "fit CPU time of the calling thread (all of the work at --threads 1, robust to other "
                            + "load) A %.1f / B %.1f ms (minima), A/B per repeat: min %.2f, median %.2f, max %.2f%n",
                    Repeats.min(fitCpu[0]), Repeats.min(fitCpu[1]), Repeats.min(ratio), Repeats.median(ratio),
                    Repeats.max(ratio));
        }
        double[] total = new double[k];
        for (int j = 0; j < k; j++) {
            for (String v : kind.keySet()) {
                total[j] += Repeats.min(fwd.get(j).get(v)) + Repeats.min(bwd.get(j).get(v));
            }
        }
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-28s %-22s", "vertex", "type"));
        for (int j = 0; j < k; j++) {
            String p = ab == null ? "" : (j == 0 ? "A " : "B ");
            head.append(String.format(Locale.ROOT, " %9s %9s %7s", p + "fwd ms", p + "bwd ms", p + "share"));
        }
        out.println(head);
        Map<String, double[]> byKind = new LinkedHashMap<>();
        for (String v : kind.keySet()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s %-22s", v, kind.get(v)));
            double[] kk = byKind.computeIfAbsent(kind.get(v), x -> new double[2 * k + 1]);
            kk[2 * k]++;
            for (int j = 0; j < k; j++) {
                double f = Repeats.min(fwd.get(j).get(v)), b = Repeats.min(bwd.get(j).get(v));
                line.append(String.format(Locale.ROOT, " %9.2f %9.2f %6.1f%%", f, b, 100 * (f + b) / total[j]));
                kk[2 * j] += f;
                kk[2 * j + 1] += b;
            }
            out.println(line);
        }
        StringBuilder sum = new StringBuilder(String.format(Locale.ROOT, "%-28s %-22s", "(sum of minima)", ""));
        for (int j = 0; j < k; j++) sum.append(String.format(Locale.ROOT, " %19.2f %7s", total[j], ""));
        out.println(sum);
        out.printf(Locale.ROOT, "-- by type --%n");
        for (var e : byKind.entrySet()) {
            double[] kk = e.getValue();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s %5d", e.getKey(),
                    (int) kk[2 * k]));
            for (int j = 0; j < k; j++) {
                line.append(String.format(Locale.ROOT, " %9.2f %9.2f %6.1f%%", kk[2 * j], kk[2 * j + 1],
                        100 * (kk[2 * j] + kk[2 * j + 1]) / total[j]));
            }
            out.println(line);
        }
        out.flush();
    }

    /** B: the fast kernel on (or, for "threads", the configured thread count); A: off (or one thread). */
    private static void setState(String ab, boolean b, int threads) {
        if (ab == null) return;
        if (ab.equals("threads")) NativeThreads.applyForSparkTask(b ? threads : 1);
        else KernelSwitches.set(ab, b);
    }

    private static String kindOf(GraphVertex v) {
        if (!v.hasLayer()) return v.getClass().getSimpleName();
        Layer l = v.getLayer();
        String name = l.getClass().getSimpleName();
        if (l.getClass().getEnclosingClass() != null) name = l.getClass().getEnclosingClass().getSimpleName();
        return name;
    }

    /** One forward and backward pass, vertex by vertex, without workspaces; times into fwd/bwd[name][r]. */
    private static void walk(ComputationGraph net, GraphVertex[] vertices, int[] order, INDArray features,
            INDArray labels, Map<String, double[]> fwd, Map<String, double[]> bwd, int r) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray[] outs = new INDArray[vertices.length];
        for (int idx : order) {
            GraphVertex v = vertices[idx];
            long t0 = System.nanoTime();
            if (v.isInputVertex()) {
                outs[idx] = features;
            } else {
                VertexIndices[] in = v.getInputVertices();
                for (int i = 0; i < in.length; i++) v.setInput(i, outs[in[i].getVertexIndex()], mgr);
                outs[idx] = v.doForward(true, mgr);
            }
            fwd.get(v.getVertexName())[r] = (System.nanoTime() - t0) / 1e6;
        }
        INDArray[] eps = new INDArray[vertices.length];
        for (int i = order.length - 1; i >= 0; i--) {
            GraphVertex v = vertices[order[i]];
            if (v.isInputVertex()) continue;
            long t0 = System.nanoTime();
            if (v.hasLayer() && v.getLayer() instanceof IOutputLayer o) {
                o.setLabels(labels);
            } else {
                v.setEpsilon(eps[order[i]]);
            }
            Pair<Gradient, INDArray[]> p = v.doBackward(false, mgr);
            VertexIndices[] in = v.getInputVertices();
            INDArray[] e = p.getSecond();
            for (int k = 0; k < in.length; k++) {
                int target = in[k].getVertexIndex();
                if (e[k] == null) continue;
                eps[target] = eps[target] == null ? e[k] : eps[target].add(e[k]);
            }
            bwd.get(v.getVertexName())[r] = (System.nanoTime() - t0) / 1e6;
        }
        for (GraphVertex v : vertices) v.clear();
        Arrays.fill(outs, null);
    }
}

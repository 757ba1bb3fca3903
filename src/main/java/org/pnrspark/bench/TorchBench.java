package org.pnrspark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --torch}: the comparison with PyTorch. Runs tools/torch_bench.py (the same training step in PyTorch)
 * in a child process, one per row of the one-JVM table, after all of pnr-spark's rows and once this JVM has gone
 * quiet. Python is $PNR_PYTHON, else /usr/bin/python3, else python3 on the PATH; the script is looked up under the
 * working directory, then next to the directory of pnr-spark's jar.
 */
final class TorchBench {
    private final String python;
    private final Path script;
    private String version = "?";

    private TorchBench(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** The runner, or null (with the reason on err) when python3 with torch or the script is missing. */
    static TorchBench find(PrintStream err) {
        Path script = locateScript();
        if (script == null) {
            err.println("bench --torch: tools/torch_bench.py not found; no PyTorch column");
            return null;
        }
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("PNR_PYTHON");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch, torchvision").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) return new TorchBench(python, script);
            } catch (IOException e) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        err.println("bench --torch: no python3 with torch and torchvision (apt-get install python3-torch "
                + "python3-torchvision, or set PNR_PYTHON); no PyTorch column");
        return null;
    }

    private static Path locateScript() {
        Path here = Path.of("tools", "torch_bench.py");
        if (Files.isRegularFile(here)) return here;
        try {
            Path jar = Path.of(TorchBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                Path p = dir.resolve("tools").resolve("torch_bench.py");
                if (Files.isRegularFile(p)) return p;
            }
        } catch (Exception e) {
            // no code source
        }
        return null;
    }

    /**
     * PyTorch's images per second over the repeats, and the CPU seconds its process used (all threads, including
     * importing torch): what the machine's load is corrected by.
     */
    record Result(double min, double median, double max, double cpuSeconds) {}

    /** PyTorch's rate for the same step, run alone in a child process, or null if it failed (reason on err). */
    Result run(String encoder, int batch, int steps, int repeats, int threads, PrintStream err) {
        List<String> cmd = List.of(python, script.toString(), "--encoder", encoder, "--batch", Integer.toString(batch),
                "--steps", Integer.toString(steps), "--repeats", Integer.toString(repeats), "--threads",
                Integer.toString(threads));
        Path log = null;
        try {
            // its readable line and any error to a file, shown only when it fails: the table stays one table
            log = Files.createTempFile("torch-bench", ".log");
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                err.println("bench --torch: " + String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):");
                err.print(Files.readString(log));
                return null;
            }
            // the script's result is the JSON object on its last line
            String[] lines = output.strip().split("\n");
            JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]);
            if (result != null && result.path("img_s_median").isNumber()) {
                version = result.path("torch").asText(version);
                return new Result(result.path("img_s_min").asDouble(), result.get("img_s_median").asDouble(),
                        result.path("img_s_max").asDouble(), result.path("cpu_s").asDouble(Double.NaN));
            }
            err.println("bench --torch: no img_s_median in the output of " + script);
        } catch (IOException e) {
            err.println("bench --torch: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
        return null;
    }

    /** A row pnr-spark measured, for PyTorch to be timed on. */
    record MeasuredRow(String encoder, int batch, BenchCommand.Row row) {}

    /**
     * PyTorch's figures for the rows pnr-spark measured, each alone: after all of pnr-spark's rows, in a child
     * process per row, started only once this JVM has gone quiet (a JVM that has just trained keeps compiling,
     * collecting and spinning native threads for a while, which on 2 cores takes a core from PyTorch).
     */
    void compare(List<MeasuredRow> rows, BenchCommand.Options o, int threads,
            PrintStream out, PrintStream err) {
        long resident = releaseNativeMemory();
        out.println();
        out.printf(Locale.ROOT, "%-15s %5s %11s %9s %9s %9s %8s %9s %9s %8s%n", "encoder", "batch", "pnr-spark",
                "torch min", "median", "max", "ratio", "jvm busy", "others", "jvm RSS");
        for (MeasuredRow r : rows) {
            CpuLoad.Quiet quiet = CpuLoad.awaitQuiet(0.03, Duration.ofSeconds(2), Duration.ofSeconds(60));
            if (!quiet.quiet()) err.println("bench --torch: this JVM is " + quiet.describe() + "; timing PyTorch anyway");
            CpuLoad.Mark mark = CpuLoad.Mark.now();
            Result t = run(r.encoder(), r.batch(), o.steps(), o.repeats(), threads, err);
            if (t == null) {
                out.printf(Locale.ROOT, "%-15s %5d %11.1f %9s %9s %9s %8s %9s %9s %8s%n", r.encoder(), r.batch(),
                        r.row().median(), "-", "-", "-", "-", "-", "-", BenchCommand.bytes(resident));
                continue;
            }
            double jvm = mark.jvmCores(), others = mark.otherCores(t.cpuSeconds());
            out.printf(Locale.ROOT, "%-15s %5d %11.1f %9.1f %9.1f %9.1f %7.2fx %9s %9s %8s%n", r.encoder(),
                    r.batch(), r.row().median(), t.min(), t.median(), t.max(), r.row().median() / t.median(),
                    BenchCommand.cores(jvm), BenchCommand.cores(others), BenchCommand.bytes(resident));
            out.flush();
        }
        out.println("torch: " + describe() + ", " + threads + " threads, the same steps and repeats, each row in"
                + " its own process once this JVM had gone quiet; ratio = pnr-spark's median img/s / PyTorch's; jvm"
                + " busy and others: the cores this JVM and the rest of the machine kept busy while PyTorch ran"
                + " (both should be near 0); jvm RSS: what this JVM kept resident meanwhile, its measurements' native"
                + " memory given back");
        // the same figures from PyTorch alone, with no JVM at all, which these must agree with
        for (String encoder : o.encoders()) {
            out.println("PyTorch alone: " + command(encoder, o.batches(encoder), o.steps(), o.repeats(), threads));
        }
    }

    /**
     * Gives back the native memory this JVM's measurements left allocated (ND4J's workspaces, arrays no longer
     * referenced) and returns the resident size after, so that PyTorch meets the machine it would meet alone:
     * after a JVM that kept 9 GB resident, PyTorch's ResNet-18 ran a quarter slower here than alone.
     */
    static long releaseNativeMemory() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        for (int i = 0; i < 3; i++) {
            // ND4J frees an array's memory once the collector has found the array unreachable
            System.gc();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // what the collector found and the deallocator thread has not yet freed
        Pointer.deallocateReferences();
        return Pointer.physicalBytes();
    }

    /** The command line that times the same rows in PyTorch alone, as this bench does in its child processes. */
    String command(String encoder, List<Integer> batches, int steps, int repeats, int threads) {
        return String.join(" ", python, script.toString(), "--encoder", encoder, "--batch",
                String.join(",", batches.stream().map(String::valueOf).toList()), "--steps", Integer.toString(steps),
                "--repeats", Integer.toString(repeats), "--threads", Integer.toString(threads));
    }

    String describe() {
        return "PyTorch " + version + " (" + python + " " + script + ")";
    }
}

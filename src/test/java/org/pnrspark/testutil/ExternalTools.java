package org.pnrspark.testutil;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Programs some tests drive (headless Chromium, Debian's Python with jsonschema, Jupyter's nbconvert). They are
 * required: a missing one fails the test with the package to install (.ci/run installs them).
 */
public final class ExternalTools {
    private ExternalTools() {}

    public record Result(int exitCode, String stdout, String stderr) {}

    /** Fails unless the program exists. */
    public static String require(String program, String debianPackage) {
        if (!new File(program).canExecute()) {
            fail(program + " is needed by this test: apt-get install -y " + debianPackage);
        }
        return program;
    }

    public static Result run(List<String> command, Map<String, String> env, Path workDir, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("tool-out", ".txt"), err = Files.createTempFile("tool-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // Debian's python3 and its packages, not another python3 earlier on the PATH
            pb.environment().put("PATH", "/usr/bin:/bin:" + pb.environment().getOrDefault("PATH", ""));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

package org.pnrspark.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command's table (what it prints, not how fast: figures come from running it, not from tests). */
class BenchCommandTest {
    private static String[] run(int expectedCode, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8), e = err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, o + e);
        return new String[] {o, e};
    }

    @Test
    void printsOneRowPerEncoderAndBatch() {
        String out = run(0, "--encoders", "small-cnn,resnet18-cifar", "--batches", "4,6", "--steps", "1",
                "--repeats", "2", "--set", "mocov2plus.queue_size=12", "--set", "method.name=mocov2plus",
                "--set", "mocov2plus.proj_hidden_dim=64")[0];
        assertTrue(out.contains("mocov2plus x pnr"), out);
        for (String encoder : List.of("small-cnn +28x28x1", "resnet18-cifar +32x32x3")) {
            for (int batch : new int[] {4, 6}) {
                Matcher m = Pattern.compile(encoder + " +" + batch + " +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)")
                        .matcher(out);
                assertTrue(m.find(), encoder + " batch " + batch + " in\n" + out);
                double min = Double.parseDouble(m.group(1)), median = Double.parseDouble(m.group(2)),
                        max = Double.parseDouble(m.group(3));
                assertTrue(min > 0 && min <= median && median <= max, m.group());
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(run(2, "--batches", "64,x")[1].contains("--batches: \"x\" is not a positive integer"));
        assertTrue(run(2, "--encoders", "vgg")[1].contains("\"vgg\" is not one of"));
        assertTrue(run(2, "--set", "optim.lr=-1")[1].contains("optim.lr"));
    }
}

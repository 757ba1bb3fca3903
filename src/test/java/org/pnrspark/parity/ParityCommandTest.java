package org.pnrspark.parity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.Cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pnrspark.testutil.Cli.parity;

class ParityCommandTest {
    private static Path golden(Path dir) throws IOException {
        Path file = dir.resolve("losses-reference.json");
        try (InputStream in = ParityCommandTest.class.getResourceAsStream("/golden/losses-reference.json")) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void everyReferenceCasePasses(@TempDir Path dir) throws IOException {
        Cli.Outcome o = parity("--vectors", golden(dir).toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertEquals(1 + 39 + 1, o.out().lines().count(), "header, a line per case, summary");
        assertTrue(o.out().contains("13 loss families, 39 cases: 39 passed, 0 failed (tolerance 1.0e-06)"), o.out());
        assertTrue(o.out().lines().filter(l -> l.startsWith("moco_pnr")).allMatch(l -> l.endsWith("pass")), o.out());
    }

    @Test
    void aWrongValueOrAnUnknownLossFails(@TempDir Path dir) throws IOException {
        String text = Files.readString(golden(dir));
        Path tampered = dir.resolve("tampered.json");
        // the first case's value is changed in its 4th significant digit
        int at = text.indexOf("\"value\"");
        int start = text.indexOf(':', at) + 1;
        int end = text.indexOf(',', start);
        double v = Double.parseDouble(text.substring(start, end).trim());
        Files.writeString(tampered, text.substring(0, start) + " " + (v * 1.001) + text.substring(end));
        Cli.Outcome o = parity("--vectors", tampered.toString());
        assertEquals(1, o.code());
        assertTrue(o.out().contains("38 passed, 1 failed"), o.out());

        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, text.replaceFirst("\"loss\"\\s*:\\s*\"nt_xent\"", "\"loss\": \"swav\""));
        o = parity("--vectors", unknown.toString());
        assertEquals(1, o.code());
        assertTrue(o.out().contains("unknown loss \"swav\""), o.out());
        // a looser tolerance lets the tampered value pass
        assertEquals(0, parity("--vectors", tampered.toString(), "--tol", "1e-2").code());
    }

    @Test
    void malformedFilesAreReportedClearly(@TempDir Path dir) throws IOException {
        Path notJson = dir.resolve("a.json");
        Files.writeString(notJson, "{ \"cases\": [ ");
        Cli.Outcome o = parity("--vectors", notJson.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("error: " + notJson + ": not valid JSON"), o.err());

        Path ragged = dir.resolve("b.json");
        Files.writeString(ragged, "{\"cases\": [{\"name\": \"x\", \"loss\": \"byol\", \"params\": {}, "
                + "\"inputs\": {\"p\": [[1, 2], [3]], \"z\": [[1, 2], [3, 4]]}, \"value\": 1.0, \"grads\": {}}]}");
        o = parity("--vectors", ragged.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("case 0 (x): inputs.p: ragged array"), o.err());

        Path noValue = dir.resolve("c.json");
        Files.writeString(noValue, "{\"cases\": [{\"name\": \"y\", \"loss\": \"byol\", \"inputs\": {}, \"grads\": {}}]}");
        assertTrue(parity("--vectors", noValue.toString()).err().contains("case 0 (y): \"value\" must be a number"));

        assertEquals(2, parity("--vectors", dir.resolve("missing.json").toString()).code());
        assertEquals(2, parity().code());
        assertEquals(2, parity("--vectors", notJson.toString(), "--tol", "x").code());
    }
}

package org.pnrspark.report;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.ExternalTools;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** results.json read back: files of older versions of schema 2, and what the writer adds to them. */
class ResultsReaderTest {
    /** Written before the evaluation's parts, checkpoint_seconds and time_split were recorded. */
    static final Path OLDER = Path.of("src/test/resources/results/written-before-time-split.json");

    private final Storage storage = new Storage(new Configuration());

    @Test
    void anOlderFileReadsWithTheNewFieldsUnknown(@TempDir Path dir) throws IOException {
        Files.copy(OLDER, dir.resolve(ResultsWriter.RESULTS_JSON));
        ResultsReader.Finished read = ResultsReader.read(storage, dir.toString());
        assertEquals(2, read.tasks().size());
        assertEquals(61.0, read.seconds());
        for (TaskResult t : read.tasks()) {
            assertTrue(Double.isNaN(t.checkpointSeconds()), "checkpoint_seconds absent: " + t.checkpointSeconds());
            assertTrue(Double.isNaN(t.evaluation().featureSeconds()), "features_seconds absent");
        }
        assertEquals(14.0, read.tasks().get(1).trainSeconds());
        assertEquals(4.5, read.randomInit().seconds());
    }

    @Test
    void anOlderFileMatchesTheSchema() throws Exception {
        assertEquals("", schemaErrors(OLDER));
    }

    /** What Debian's python3-jsonschema finds wrong with {@code file} against results.schema.json. */
    static String schemaErrors(Path file) throws Exception {
        String python = ExternalTools.require("/usr/bin/python3", "python3-jsonschema");
        ExternalTools.Result r = ExternalTools.run(List.of(python, "-c", String.join("\n",
                "import json, sys, jsonschema",
                "schema = json.load(open(sys.argv[1]))",
                "v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())",
                "print('\\n'.join(e.message for e in v.iter_errors(json.load(open(sys.argv[2])))), end='')"),
                Path.of("src/main/resources/results.schema.json").toAbsolutePath().toString(),
                file.toAbsolutePath().toString()), Map.of(), Path.of("."), 120);
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout();
    }
}

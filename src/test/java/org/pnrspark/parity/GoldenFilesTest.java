package org.pnrspark.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden files say what made them: the generator script in this repository and its SHA-256, which must be the
 * script's as it is here. A generator changed without its file being made again (or a file edited by hand with
 * another script's hash) fails; make the file again with the command at the top of its generator.
 */
class GoldenFilesTest {
    @ParameterizedTest
    @ValueSource(strings = {"losses-reference.json", "networks-reference.json"})
    void aGoldenFileRecordsTheSha256OfItsGeneratorAsItIsHere(String name) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Path.of("src/test/resources/golden", name).toFile());
        String generator = root.path("generator").asText();
        assertTrue(generator.startsWith("src/test/python/") && Files.isRegularFile(Path.of(generator)),
                name + ": its generator " + generator + " is in the repository");
        String recorded = root.path("generator_sha256").asText();
        assertEquals(sha256(Path.of(generator)), recorded, name + " was not made by " + generator
                + " as it is now: make it again (the command is at the top of the script)");
    }

    /** The network file's training objectives are the PyTorch peer's: it records the peer's SHA-256 as well. */
    @Test
    void theNetworkFileRecordsTheSha256OfThePeerItsTrainingObjectivesComeFrom() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Path.of("src/test/resources/golden/networks-reference.json")
                .toFile());
        Path peer = Path.of(root.path("peer").asText());
        assertTrue(peer.startsWith("tools") && Files.isRegularFile(peer), "the peer " + peer + " is in the repository");
        assertEquals(sha256(peer), root.path("peer_sha256").asText(), "networks-reference.json was not made with "
                + peer + " as it is now: make it again (its command is at the top of network_parity.py)");
    }

    private static String sha256(Path file) throws IOException {
        return HexFormat.of().formatHex(Storage.sha256().digest(Files.readAllBytes(file)));
    }
}

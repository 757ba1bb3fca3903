package org.pnrspark;

import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.TestData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every citation in the repository points at something in it: each "docs/reference.md §x.y" at a section of that
 * file, and each docs/*.md named anywhere exists.
 */
class DocsCitationsTest {
    private static final Path REFERENCE = Path.of("docs/reference.md");
    /** "docs/reference.md §3.2, §5.2" or "§5.3–§5.5": the sections a citation names. */
    private static final Pattern CITATION = Pattern.compile("docs/reference\\.md((?:[\\s*#/]*(?:§\\d+(?:\\.\\d+)?)"
            + "(?:\\s*[,–-]\\s*|\\s+and\\s+)?)+)");
    private static final Pattern SECTION = Pattern.compile("§(\\d+(?:\\.\\d+)?)");
    private static final Pattern DOC = Pattern.compile("\\bdocs/([\\w-]+\\.md)");
    private static final Pattern MARKDOWN_NAME =
            Pattern.compile("(?<![\\w/.:-])((?:\\.\\.?/)*(?:[\\w.-]+/)*[\\w-]+\\.md)(?![\\w/])");

    @Test
    void everyCitedSectionExists() {
        Set<String> sections = sections();
        assertTrue(sections.containsAll(List.of("1.2", "3.1", "5.5", "11.7")), "sections found: " + sections);
        List<String> missing = new ArrayList<>();
        int citations = 0;
        for (Path f : files()) {
            Matcher m = CITATION.matcher(TestData.text(f));
            while (m.find()) {
                Matcher s = SECTION.matcher(m.group(1));
                while (s.find()) {
                    citations++;
                    if (!sections.contains(s.group(1))) missing.add(f + ": §" + s.group(1));
                }
            }
        }
        assertTrue(citations > 50, "citations found: " + citations);
        assertEquals(List.of(), missing, "sections cited but not in " + REFERENCE);
    }

    @Test
    void everyNamedDocumentExistsAndNoneOutsideTheRepositoryIsCited() {
        List<String> problems = new ArrayList<>();
        for (Path f : files()) {
            String text = TestData.text(f);
            Matcher m = DOC.matcher(text);
            while (m.find()) {
                if (!Files.exists(Path.of("docs", m.group(1)))) problems.add(f + ": docs/" + m.group(1));
            }
            for (String gone : List.of("PNR_SPEC", "DESIGN.md")) {
                if (text.contains(gone)) problems.add(f + ": " + gone);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyMarkdownFileNamedIsInTheRepository() {
        List<String> missing = new ArrayList<>();
        int named = 0;
        for (Path f : files()) {
            for (String name : markdownNames(TestData.text(f))) {
                named++;
                if (!resolves(f, name)) missing.add(f + ": " + name);
            }
        }
        assertTrue(named > 50, "Markdown files named: " + named);
        assertEquals(List.of(), missing, "documents cited that are not in the repository");
    }

    @Test
    void aCitationOfADocumentOutsideTheRepositoryIsFound() {
        assertEquals(List.of("../shared/reference/NOTES.md", "docs/missing.md", "README.md"),
                markdownNames("see ../shared/reference/NOTES.md, [x](docs/missing.md) and README.md; not "
                        + "https://example.org/a/README.md"));
        Path readme = Path.of("README.md");
        assertTrue(resolves(readme, "docs/design.md"));
        assertTrue(resolves(Path.of("docs/running.md"), "performance.md"));
        assertTrue(!resolves(readme, "../shared/reference/NOTES.md"));
        assertTrue(!resolves(readme, "docs/missing.md"));
    }

    /** Every path-like name of a Markdown file in a text ("docs/x.md", "../y/z.md", "README.md"), URLs left out. */
    static List<String> markdownNames(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = MARKDOWN_NAME.matcher(text);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** Whether a name resolves, from the repository's root or from the citing file's folder, to a file in it. */
    static boolean resolves(Path citing, String name) {
        Path root = Path.of("").toAbsolutePath().normalize();
        Path folder = citing.toAbsolutePath().getParent();
        for (Path base : List.of(root, folder)) {
            Path p = base.resolve(name).normalize();
            if (p.startsWith(root) && Files.isRegularFile(p)) return true;
        }
        return false;
    }

    @Test
    void theCitationPatternReadsListsAndRanges() {
        Matcher m = CITATION.matcher("(docs/reference.md §3.2, §5.2 and §11.7; §9 is not cited here)");
        assertTrue(m.find());
        List<String> found = new ArrayList<>();
        Matcher s = SECTION.matcher(m.group(1));
        while (s.find()) found.add(s.group(1));
        assertEquals(List.of("3.2", "5.2", "11.7"), found);
    }

    /** The numbers of the headings "## 3. ..." and "### 3.1 ...". */
    private static Set<String> sections() {
        Set<String> found = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^#{2,4} (\\d+(?:\\.\\d+)?)\\.? ").matcher(TestData.text(REFERENCE));
        while (m.find()) found.add(m.group(1));
        return found;
    }

    private static List<Path> files() {
        List<Path> all = new ArrayList<>();
        for (String root : List.of("src", "conf", "submit", "tools", "notebooks", "docs")) {
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(Files::isRegularFile)
                        .filter(p -> p.toString().matches(".*\\.(java|py|conf|sh|md|ipynb|properties)$")
                                || p.getFileName().toString().equals("pnr-local"))
                        .forEach(all::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        all.add(Path.of("README.md"));
        all.remove(Path.of("src/test/java/org/pnrspark/DocsCitationsTest.java"));
        return all;
    }

}

package org.pnrspark;

import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.TestData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packages read as the data flow, so none may depend on another that depends back on it: the graph of
 * references between pnr-spark's packages (imports and fully qualified names in the sources) has no cycle, and
 * each package names only the packages its row of the table in docs/design.md allows (and none of the libraries
 * the row says it must not use).
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/org/pnrspark");
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.pnrspark\\.([a-z]+)\\.[A-Z]");

    @Test
    void thePackagesFormNoCycle() {
        Map<String, Set<String>> graph = dependencies();
        assertTrue(graph.size() >= 10, "packages found: " + graph.keySet());
        List<List<String>> cycles = cycles(graph);
        assertEquals(List.of(), cycles, "package cycles; the whole graph: " + graph);
    }

    @Test
    void everyPackageNamesOnlyWhatItsRowInDesignMdAllows() {
        Map<String, Set<String>> allowed = allowedByDesign();
        Map<String, Set<String>> graph = dependencies();
        assertEquals(graph.keySet(), allowed.keySet(), "packages in the sources vs rows of " + DESIGN);
        assertEquals(List.of(), breaches(graph, allowed), "dependencies docs/design.md does not allow");
        assertEquals(List.of(), forbiddenLibraries(), "libraries a package's row in docs/design.md rules out");
    }

    @Test
    void aBreachOfTheTableIsReported() {
        Map<String, Set<String>> allowed = Map.of("config", Set.of(), "data", Set.of("config"));
        assertEquals(List.of(), breaches(Map.of("config", Set.of(), "data", Set.of("config")), allowed));
        assertEquals(List.of("config -> data"), breaches(Map.of("config", Set.of("data"), "data", Set.of()), allowed));
        assertEquals(Map.of("config", List.of("org.apache.spark", "org.nd4j", "org.deeplearning4j")),
                librariesRuledOut(Map.of("config", "nothing of pnr-spark, nothing of Spark or ND4J")));
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
                "d", Set.of("a")));
        assertEquals(List.of(List.of("a", "b", "c")), cycles(graph));
    }

    private static final Path DESIGN = Path.of("docs/design.md");
    /** A row of the package table: | `name` | what it holds | what it may depend on |. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z]+)` \\|[^|\\n]*\\|([^|\\n]*)\\|\\s*$");
    private static final Map<String, List<String>> LIBRARIES = Map.of(
            "Spark", List.of("org.apache.spark"), "ND4J", List.of("org.nd4j", "org.deeplearning4j"),
            "Hadoop", List.of("org.apache.hadoop"));

    /** The packages each package may name, read from the table of docs/design.md ("—": none). */
    static Map<String, Set<String>> allowedByDesign() {
        Map<String, Set<String>> allowed = new TreeMap<>();
        Matcher row = ROW.matcher(TestData.text(DESIGN));
        while (row.find()) {
            Set<String> names = new TreeSet<>();
            Matcher word = Pattern.compile("\\b[a-z]+\\b").matcher(row.group(2));
            while (word.find()) names.add(word.group());
            allowed.put(row.group(1), names);
        }
        for (Set<String> names : allowed.values()) names.retainAll(allowed.keySet());
        return allowed;
    }

    static List<String> breaches(Map<String, Set<String>> graph, Map<String, Set<String>> allowed) {
        List<String> found = new ArrayList<>();
        graph.forEach((pkg, deps) -> deps.stream()
                .filter(d -> !allowed.getOrDefault(pkg, Set.of()).contains(d))
                .forEach(d -> found.add(pkg + " -> " + d)));
        return found;
    }

    /** For each row whose last cell says "nothing of X or Y", the Java packages of those libraries. */
    static Map<String, List<String>> librariesRuledOut(Map<String, String> cells) {
        Map<String, List<String>> out = new TreeMap<>();
        cells.forEach((pkg, cell) -> {
            Matcher m = Pattern.compile("nothing of ([A-Za-z0-9 ,]+?)(?:$|[;.])").matcher(cell);
            List<String> prefixes = new ArrayList<>();
            while (m.find()) {
                for (String name : m.group(1).split(",| or ")) {
                    prefixes.addAll(LIBRARIES.getOrDefault(name.trim(), List.of()));
                }
            }
            if (!prefixes.isEmpty()) out.put(pkg, prefixes);
        });
        return out;
    }

    private static List<String> forbiddenLibraries() {
        Map<String, String> cells = new TreeMap<>();
        Matcher row = ROW.matcher(TestData.text(DESIGN));
        while (row.find()) cells.put(row.group(1), row.group(2));
        Map<String, List<String>> ruledOut = librariesRuledOut(cells);
        assertTrue(ruledOut.containsKey("config"), "config's row no longer rules out Spark and ND4J: " + cells);
        List<String> found = new ArrayList<>();
        ruledOut.forEach((pkg, prefixes) -> {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = TestData.text(f);
                    for (String prefix : prefixes) {
                        if (Pattern.compile("\\b" + Pattern.quote(prefix) + "\\.").matcher(text).find()) {
                            found.add(f + " names " + prefix);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return found;
    }


    /** Each package's sources, and the other pnr-spark packages they name. */
    static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = SOURCES.relativize(f);
                if (rel.getNameCount() < 2) continue;
                String pkg = rel.getName(0).toString();
                Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) deps.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** The strongly connected components of more than one package (Tarjan), each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        var state = new Object() {
            final Map<String, Integer> index = new TreeMap<>();
            final Map<String, Integer> low = new TreeMap<>();
            final Deque<String> stack = new ArrayDeque<>();
            final List<List<String>> found = new ArrayList<>();

            void visit(String v) {
                index.put(v, index.size());
                low.put(v, index.get(v));
                stack.push(v);
                for (String w : graph.getOrDefault(v, Set.of())) {
                    if (!index.containsKey(w)) {
                        visit(w);
                        low.put(v, Math.min(low.get(v), low.get(w)));
                    } else if (stack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                }
                if (low.get(v).equals(index.get(v))) {
                    List<String> component = new ArrayList<>();
                    String w;
                    do {
                        w = stack.pop();
                        component.add(w);
                    } while (!w.equals(v));
                    if (component.size() > 1) found.add(component.stream().sorted().toList());
                }
            }
        };
        for (String v : graph.keySet()) {
            if (!state.index.containsKey(v)) state.visit(v);
        }
        return state.found;
    }
}

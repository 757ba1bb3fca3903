package org.pnrspark.data;

import org.pnrspark.util.Storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The packed form of an image dataset written by {@code prepare} (docs/running.md: Preparing large datasets), so that an epoch
 * reads a few large files instead of opening every small image:
 * <pre>
 * &lt;root&gt;/PACKED                       "pnr-packed 1", then "key value" lines (dataset, source, resize, splits)
 * &lt;root&gt;/&lt;split&gt;.index                 one image per line: shard TAB offset TAB length TAB label TAB source path
 * &lt;root&gt;/shards/&lt;split&gt;-NNNNN.pnr       "PNRSHRD1", then per image: 4-byte big-endian length, the encoded image
 * </pre>
 * Splits are {@code train} and {@code test} for class folders, {@code <domain>_train} and {@code <domain>_test} for
 * DomainNet. Offsets point at the image bytes (after their length). Every file is written to a temporary name and
 * renamed, the PACKED marker last.
 */
public final class PackedShards {
    public static final String MARKER = "PACKED";
    public static final String MAGIC_LINE = "pnr-packed 1";
    public static final byte[] SHARD_MAGIC = "PNRSHRD1".getBytes(StandardCharsets.US_ASCII);

    private PackedShards() {}

    public static boolean isPacked(Storage storage, String root) throws IOException {
        return storage.isFile(Storage.child(root, MARKER));
    }

    public static String indexFile(String root, String split) {
        return Storage.child(root, split + ".index");
    }

    /** The PACKED marker's "key value" lines. */
    public static java.util.Map<String, String> manifest(Storage storage, String root) throws IOException {
        String file = Storage.child(root, MARKER);
        String[] lines = storage.readString(file).split("\n");
        if (lines.length == 0 || !lines[0].trim().equals(MAGIC_LINE)) {
            throw new DataFormatException(file + ": not a pnr-spark packed dataset marker (first line \""
                    + (lines.length == 0 ? "" : lines[0].trim()) + "\", expected \"" + MAGIC_LINE + "\")");
        }
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int space = lines[i].indexOf(' ');
            if (space > 0) values.put(lines[i].substring(0, space), lines[i].substring(space + 1).trim());
        }
        return values;
    }

    /** A packed dataset is read only as the dataset it was packed from. */
    public static void checkManifest(Storage storage, String root, org.pnrspark.config.DatasetKind kind)
            throws IOException {
        String packedAs = manifest(storage, root).get("dataset");
        if (!kind.configName().equals(packedAs)) {
            throw new DataFormatException(Storage.child(root, MARKER) + ": packed from dataset " + packedAs
                    + ", but data.dataset = " + kind.configName());
        }
    }

    /** Reads the index of one packed split; {@code domain} is recorded for every image. */
    public static ImageIndex read(Storage storage, String root, String split, int domain, int numClasses)
            throws IOException {
        String file = indexFile(root, split);
        String text;
        try {
            text = storage.readString(file);
        } catch (FileNotFoundException e) {
            throw new DataFormatException(file + ": index of split " + split + " does not exist in the packed dataset "
                    + root + " (written by prepare); pack this split too");
        }
        List<String> paths = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int n = 0; n < lines.length; n++) {
            if (lines[n].isEmpty()) continue;
            String[] f = lines[n].split("\t", 5);
            try {
                if (f.length != 5) throw new NumberFormatException("expected 5 tab-separated fields");
                int label = Integer.parseInt(f[3]);
                if (label < 0 || label >= numClasses) {
                    throw new NumberFormatException("label " + label + " out of range 0.." + (numClasses - 1));
                }
                paths.add(f[0]);
                offsets.add(Long.parseLong(f[1]));
                lengths.add(Integer.parseInt(f[2]));
                labels.add(label);
                sources.add(f[4]);
            } catch (NumberFormatException e) {
                throw new DataFormatException(file + " line " + (n + 1) + ": corrupt index line (" + e.getMessage()
                        + "), expected shard, offset, length, label, source separated by tabs");
            }
        }
        int size = paths.size();
        return new ImageIndex(file, root, paths.toArray(String[]::new),
                offsets.stream().mapToLong(Long::longValue).toArray(),
                lengths.stream().mapToInt(Integer::intValue).toArray(), sources.toArray(String[]::new),
                labels.stream().mapToInt(Integer::intValue).toArray(), filled(size, domain));
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}

package org.pnrspark.data;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.pnrspark.util.Storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DomainNet's lists (docs/reference.md §9): {@code <root>/<domain>_train.txt} and {@code <domain>_test.txt}, one image
 * per line as {@code relative/path label}, paths relative to root. The split is the lists of the given domains one
 * after the other. Every listed file must exist: checked by listing each image directory once (not one request
 * per image).
 */
public final class DomainNetLists {
    private DomainNetLists() {}

    public static String listFile(String root, String domain, Split split) {
        return Storage.child(root, domain + (split == Split.TRAIN ? "_train.txt" : "_test.txt"));
    }

    public static Listing read(Storage storage, String root, List<String> domains, Split split, int numClasses,
            boolean skipBad) throws IOException {
        List<String> paths = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> domainOf = new ArrayList<>();
        List<String> lineOf = new ArrayList<>();
        Problems problems = new Problems(skipBad);
        for (int d = 0; d < domains.size(); d++) {
            String file = listFile(root, domains.get(d), split);
            String text;
            try {
                text = storage.readString(file);
            } catch (FileNotFoundException e) {
                throw new DataFormatException(file + ": list of domain " + domains.get(d) + " does not exist; "
                        + "expected <domain>_train.txt and <domain>_test.txt under data.root for every domain of "
                        + "scenario.domains " + domains);
            }
            String[] lines = text.split("\r?\n");
            for (int n = 0; n < lines.length; n++) {
                String line = lines[n].trim();
                if (line.isEmpty()) continue;
                String where = file + " line " + (n + 1);
                int space = Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t'));
                if (space <= 0) {
                    problems.add(where + ": \"" + line + "\" is not \"relative/path label\"");
                    continue;
                }
                String path = line.substring(0, space).trim();
                int label;
                try {
                    label = Integer.parseInt(line.substring(space + 1).trim());
                } catch (NumberFormatException e) {
                    problems.add(where + ": label \"" + line.substring(space + 1).trim() + "\" is not an integer");
                    continue;
                }
                if (label < 0 || label >= numClasses) {
                    problems.add(where + ": label " + label + " out of range, expected 0.." + (numClasses - 1)
                            + " (data.num_classes = " + numClasses + ")");
                    continue;
                }
                paths.add(path);
                labels.add(label);
                domainOf.add(d);
                lineOf.add(where);
            }
        }
        boolean[] missing = missingFiles(storage, root, paths);
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            if (missing[i]) {
                problems.add(lineOf.get(i) + ": " + Storage.child(root, paths.get(i)) + " does not exist");
            } else {
                keep.add(i);
            }
        }
        String[] p = new String[keep.size()];
        int[] lb = new int[keep.size()];
        int[] dm = new int[keep.size()];
        for (int k = 0; k < keep.size(); k++) {
            p[k] = paths.get(keep.get(k));
            lb[k] = labels.get(keep.get(k));
            dm[k] = domainOf.get(keep.get(k));
        }
        String name = Storage.child(root, "{" + String.join(",", domains) + "}_"
                + (split == Split.TRAIN ? "train" : "test") + ".txt");
        return new Listing(ImageIndex.ofFiles(name, root, p, lb, dm), problems.count, problems.notes);
    }

    /** Which listed files do not exist, by one directory listing per image directory. */
    private static boolean[] missingFiles(Storage storage, String root, List<String> paths) throws IOException {
        Map<String, Set<String>> dirs = new HashMap<>();
        boolean[] missing = new boolean[paths.size()];
        for (int i = 0; i < paths.size(); i++) {
            Path file = new Path(Storage.child(root, paths.get(i)));
            String dir = file.getParent().toString();
            Set<String> names = dirs.get(dir);
            if (names == null) {
                names = new HashSet<>();
                Path p = new Path(dir);
                FileSystem fs = p.getFileSystem(storage.conf());
                try {
                    for (FileStatus s : fs.listStatus(p)) if (s.isFile()) names.add(s.getPath().getName());
                } catch (FileNotFoundException e) {
                    // the directory is missing: so are all its files
                }
                dirs.put(dir, names);
            }
            missing[i] = !names.contains(file.getName());
        }
        return missing;
    }

    /** Bad list lines: the first stops the run, unless they are to be skipped (then counted). */
    private static final class Problems {
        final boolean skip;
        int count;
        final List<String> notes = new ArrayList<>();

        Problems(boolean skip) {
            this.skip = skip;
        }

        void add(String problem) {
            if (!skip) throw new DataFormatException(problem + " (data.bad_images = skip leaves such lines out)");
            count++;
            if (notes.size() < Listing.MAX_NOTES) notes.add(problem);
        }
    }
}

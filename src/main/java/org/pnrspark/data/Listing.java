package org.pnrspark.data;

import java.util.List;

/**
 * An index read from a dataset's layout, with what was left out of it under {@code data.bad_images = skip}.
 *
 * @param skipped how many entries (list lines, empty class folders) were left out
 * @param notes   the first few of them, each naming the file and the problem
 */
public record Listing(ImageIndex index, int skipped, List<String> notes) {
    static final int MAX_NOTES = 5;

    /** What a split's layout left out: a count and the first few problems. */
    public record Skipped(int count, List<String> notes) {
        public static final Skipped NONE = new Skipped(0, List.of());
    }

    public Skipped skippedEntries() {
        return new Skipped(skipped, List.copyOf(notes));
    }
}

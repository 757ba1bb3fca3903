package org.pnrspark.data;

import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.Arrays;

/**
 * Where the images of one split are and what their labels are, without their pixels: the driver and every executor
 * hold this, and executors read only the images of their minibatches. An entry is a whole file
 * ({@code offset < 0}) or a byte range of a shard written by {@code prepare} ({@link PackedShards}).
 *
 * @param name    what the split is, for messages (e.g. "hdfs://nn/imagenet100/train")
 * @param base    directory the paths are relative to
 * @param paths   image file, or shard file, relative to base
 * @param offsets byte offset of the image in its shard, or -1 for a whole file
 * @param lengths byte length of the image in its shard (unused for whole files)
 * @param sources for shards: the image's original path, for messages (null for whole files)
 * @param domains index of each image's domain in scenario.domains (DomainNet), else 0
 */
public record ImageIndex(String name, String base, String[] paths, long[] offsets, int[] lengths, String[] sources,
        int[] labels, int[] domains) {

    public int size() {
        return labels.length;
    }

    /** The image's location, as error messages name it. */
    public String describe(int i) {
        String file = Storage.child(base, paths[i]);
        return offsets[i] < 0 ? file : sources[i] + " (in " + file + " at byte " + offsets[i] + ")";
    }

    /** The encoded bytes of image i. */
    public byte[] read(int i, Storage storage, ShardStreams shards) throws IOException {
        String file = Storage.child(base, paths[i]);
        if (offsets[i] < 0) return storage.readAll(file);
        return shards.read(file, offsets[i], lengths[i]);
    }

    /** The first {@code perClass} images of every class, in index order (all of them if perClass is 0). */
    public ImageIndex firstPerClass(int perClass, int numClasses) {
        if (perClass <= 0) return this;
        int[] taken = new int[numClasses];
        int[] keep = new int[size()];
        int n = 0;
        for (int i = 0; i < size(); i++) if (taken[labels[i]]++ < perClass) keep[n++] = i;
        return subset(Arrays.copyOf(keep, n), name + " (first " + perClass + " per class)");
    }

    ImageIndex subset(int[] keep, String subsetName) {
        int n = keep.length;
        String[] p = new String[n];
        long[] o = new long[n];
        int[] len = new int[n];
        String[] src = sources == null ? null : new String[n];
        int[] lb = new int[n];
        int[] dm = new int[n];
        for (int k = 0; k < n; k++) {
            int i = keep[k];
            p[k] = paths[i];
            o[k] = offsets[i];
            len[k] = lengths[i];
            if (src != null) src[k] = sources[i];
            lb[k] = labels[i];
            dm[k] = domains[i];
        }
        return new ImageIndex(subsetName, base, p, o, len, src, lb, dm);
    }

    /** Several indices (e.g. one per domain) one after the other. */
    static ImageIndex concat(String name, String base, java.util.List<ImageIndex> parts) {
        int n = parts.stream().mapToInt(ImageIndex::size).sum();
        String[] p = new String[n];
        long[] o = new long[n];
        int[] len = new int[n];
        boolean anySources = parts.stream().anyMatch(x -> x.sources != null);
        String[] src = anySources ? new String[n] : null;
        int[] lb = new int[n];
        int[] dm = new int[n];
        int at = 0;
        for (ImageIndex part : parts) {
            if (!part.base.equals(base)) throw new IllegalArgumentException("indices under different bases");
            int m = part.size();
            System.arraycopy(part.paths, 0, p, at, m);
            System.arraycopy(part.offsets, 0, o, at, m);
            System.arraycopy(part.lengths, 0, len, at, m);
            if (src != null && part.sources != null) System.arraycopy(part.sources, 0, src, at, m);
            System.arraycopy(part.labels, 0, lb, at, m);
            System.arraycopy(part.domains, 0, dm, at, m);
            at += m;
        }
        return new ImageIndex(name, base, p, o, len, src, lb, dm);
    }

    /** An index of whole files. */
    static ImageIndex ofFiles(String name, String base, String[] paths, int[] labels, int[] domains) {
        long[] offsets = new long[paths.length];
        Arrays.fill(offsets, -1);
        return new ImageIndex(name, base, paths, offsets, new int[paths.length], null, labels, domains);
    }
}

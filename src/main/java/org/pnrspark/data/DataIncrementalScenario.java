package org.pnrspark.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Data-incremental split (docs/reference.md §1.2): a permutation of the training images cut into T consecutive parts of
 * N / T images, the remainder going to the first, as torch's {@code random_split} with lengths [N//T]*T. Every task
 * holds all classes and is evaluated on the whole test split.
 *
 * <p>The reference draws the permutation with torch's generator seeded 42; pnr-spark draws its own from
 * scenario.split_seed, or takes a stored one (scenario.split_file), e.g. the reference's, exported with
 * {@code torch.randperm(N, generator=torch.Generator().manual_seed(42))}.
 */
public final class DataIncrementalScenario {
    private DataIncrementalScenario() {}

    /** A permutation of 0..n-1 drawn from the seed (Fisher-Yates on SplitMix64). */
    public static int[] permutation(int n, long seed) {
        int[] p = IntStream.range(0, n).toArray();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Reads a stored permutation: whitespace- or comma-separated integers, each of 0..n-1 exactly once. */
    public static int[] parsePermutation(String file, String text, int n) {
        String[] tokens = text.replace('[', ' ').replace(']', ' ').replace(',', ' ').trim().split("\\s+");
        int count = tokens.length == 1 && tokens[0].isEmpty() ? 0 : tokens.length;
        if (count != n) {
            throw new DataFormatException(file + ": holds " + count + " indices, expected a permutation of the " + n
                    + " training images (0.." + (n - 1) + "), as listed: class folders sorted, files sorted");
        }
        int[] perm = new int[n];
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            int x;
            try {
                x = Integer.parseInt(tokens[i]);
            } catch (NumberFormatException e) {
                throw new DataFormatException(file + ": entry " + (i + 1) + " \"" + tokens[i] + "\" is not an integer");
            }
            if (x < 0 || x >= n || seen[x]) {
                throw new DataFormatException(file + ": entry " + (i + 1) + " = " + x + (x >= 0 && x < n
                        ? " appears twice" : " is out of range") + ", expected each of 0.." + (n - 1) + " once");
            }
            seen[x] = true;
            perm[i] = x;
        }
        return perm;
    }

    /** @param permutation a permutation of the training images' indices */
    public static List<TaskSplit> split(int tasks, int numClasses, int[] permutation, int testSize) {
        int n = permutation.length;
        if (n / tasks == 0) {
            throw new DataFormatException("scenario.tasks = " + tasks + " data-incremental tasks need at least "
                    + tasks + " training images, found " + n);
        }
        List<Integer> classes = IntStream.range(0, numClasses).boxed().toList();
        int[] test = IntStream.range(0, testSize).toArray();
        List<TaskSplit> out = new ArrayList<>();
        int start = 0;
        for (int t = 0; t < tasks; t++) {
            int length = partSize(n, tasks, t);
            int[] train = Arrays.copyOfRange(permutation, start, start + length);
            start += length;
            out.add(new TaskSplit(t, classes, train, test,
                    "part " + (t + 1) + "/" + tasks + " of the training images, all " + numClasses + " classes"));
        }
        return out;
    }

    /** The size of part t of n images cut into T parts: N / T, the remainder to the first (random_split's lengths). */
    static int partSize(int n, int tasks, int t) {
        return n / tasks + (t == 0 ? n % tasks : 0);
    }
}

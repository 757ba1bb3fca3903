package org.pnrspark.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Domain-incremental split (docs/reference.md §1.2): task t trains on the images of domain t (DomainNet: real,
 * quickdraw, painting, sketch, infograph, clipart) with all classes, and its column of the accuracy matrix is the
 * accuracy on that domain's test images.
 */
public final class DomainIncrementalScenario {
    private DomainIncrementalScenario() {}

    /** @param trainDomains the domain index of every training image, testDomains of every test image */
    public static List<TaskSplit> split(List<String> domains, int numClasses, int[] trainDomains, int[] testDomains) {
        List<Integer> classes = IntStream.range(0, numClasses).boxed().toList();
        List<TaskSplit> out = new ArrayList<>();
        for (int t = 0; t < domains.size(); t++) {
            int[] train = of(trainDomains, t);
            int[] test = of(testDomains, t);
            if (train.length == 0) {
                throw new DataFormatException("task " + t + " (domain " + domains.get(t) + ") has no training images: "
                        + "check " + domains.get(t) + "_train.txt under data.root");
            }
            out.add(new TaskSplit(t, classes, train, test, "domain " + domains.get(t)));
        }
        return out;
    }

    private static int[] of(int[] domainOf, int d) {
        int[] out = new int[domainOf.length];
        int n = 0;
        for (int i = 0; i < domainOf.length; i++) if (domainOf[i] == d) out[n++] = i;
        return Arrays.copyOf(out, n);
    }
}

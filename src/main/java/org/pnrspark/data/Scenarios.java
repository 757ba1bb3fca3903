package org.pnrspark.data;

import org.pnrspark.config.JobConfig;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.util.List;

/** The tasks of the configured scenario (class-, data-, domain-incremental or permuted pixels) over the loaded splits. */
public final class Scenarios {
    private Scenarios() {}

    public static List<TaskSplit> split(JobConfig config, ImageSource train, ImageSource test, Storage storage)
            throws IOException {
        JobConfig.Scenario s = config.scenario();
        int numClasses = config.data().numClasses();
        return switch (s.type()) {
            case DATA_INCREMENTAL -> {
                int[] permutation = s.splitFile().isEmpty()
                        ? DataIncrementalScenario.permutation(train.size(), s.splitSeed())
                        : DataIncrementalScenario.parsePermutation(s.splitFile(), readSplitFile(s.splitFile(), storage),
                                train.size());
                yield DataIncrementalScenario.split(s.tasks(), numClasses, permutation, test.size());
            }
            case DOMAIN_INCREMENTAL -> DomainIncrementalScenario.split(s.domains(), numClasses,
                    domains(train), domains(test));
            case CLASS_INCREMENTAL -> ClassIncrementalScenario.split(s, train.labels(), test.labels());
            case PERMUTED_PIXELS -> PermutedPixelsScenario.split(s.tasks(), numClasses, train.size(), test.size(),
                    s.splitSeed());
        };
    }

    private static String readSplitFile(String file, Storage storage) throws IOException {
        if (!storage.isFile(file)) {
            throw new DataFormatException("scenario.split_file = " + file + ": no such file; expected a permutation "
                    + "of the training images' indices");
        }
        return storage.readString(file);
    }

    private static int[] domains(ImageSource source) {
        int[] d = new int[source.size()];
        for (int i = 0; i < d.length; i++) d[i] = source.domain(i);
        return d;
    }

    /** One line on what the layouts of both splits left out (null if nothing). */
    public static String skippedReport(ImageSource train, ImageSource test) {
        int n = train.skipped().count() + test.skipped().count();
        if (n == 0) return null;
        List<String> notes = new java.util.ArrayList<>(train.skipped().notes());
        notes.addAll(test.skipped().notes());
        return n + " dataset entries skipped (data.bad_images = skip), e.g. "
                + String.join("; ", notes.subList(0, Math.min(3, notes.size())));
    }
}

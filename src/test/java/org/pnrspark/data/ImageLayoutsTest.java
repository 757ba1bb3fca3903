package org.pnrspark.data;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.testutil.TinyImages;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Class folders and DomainNet lists written as the real datasets are, and the bad input they may hold. */
class ImageLayoutsTest {
    private final Storage storage = new Storage(new Configuration());

    private static JobConfig config(Path root, String... sets) {
        List<String> s = new ArrayList<>(List.of("data.root=" + root, "scenario.tasks=2"));
        s.addAll(List.of(sets));
        return ConfigLoader.load(List.of(), s);
    }

    @Test
    void classFolderLabelsAreTheSortedFolderIndices(@TempDir Path root) throws IOException {
        List<String> created = TinyImages.classFolders(root, 4, 3, 2, 1);
        List<String> sorted = created.stream().sorted().toList();
        TinyImages.write(root.resolve("train").resolve(created.get(0)).resolve(".hidden.jpg"), new byte[] {1});
        TinyImages.write(root.resolve("train").resolve(created.get(0)).resolve("readme.txt"), new byte[] {1});
        JobConfig c = config(root, "data.dataset=imagenet100", "data.num_classes=4");
        FileImageSource train = ImageSources.load(c, Split.TRAIN, storage);
        FileImageSource test = ImageSources.load(c, Split.TEST, storage);
        assertEquals(12, train.size(), "3 images per class; hidden and non-image files ignored");
        assertEquals(8, test.size());
        for (int i = 0; i < train.size(); i++) {
            String path = train.index().paths()[i];
            String cls = path.substring(0, path.indexOf('/'));
            assertEquals(sorted.indexOf(cls), train.label(i), path);
        }
        // class by class, files in name order
        assertEquals(List.of(sorted.get(0) + "/img_000.JPEG", sorted.get(0) + "/img_001.JPEG",
                sorted.get(0) + "/img_002.JPEG"), Arrays.asList(train.index().paths()).subList(0, 3));
        assertEquals(3, train.read(0).channels());
        assertEquals(2, ImageSources.load(config(root, "data.dataset=imagenet100", "data.num_classes=4",
                "data.max_train_per_class=2"), Split.TRAIN, storage).size() / 4);
    }

    @Test
    void classFolderProblemsNameTheFolder(@TempDir Path root) throws IOException {
        TinyImages.classFolders(root, 3, 2, 1, 1);
        DataFormatException wrongCount = assertThrows(DataFormatException.class, () -> ImageSources.load(
                config(root, "data.dataset=imagenet100", "data.num_classes=4"), Split.TRAIN, storage));
        assertTrue(wrongCount.getMessage().contains("3 class folders") && wrongCount.getMessage().contains("4"),
                wrongCount.getMessage());

        Files.createDirectories(root.resolve("train").resolve("zz_empty"));
        JobConfig fail = config(root, "data.dataset=image-folder", "data.num_classes=4");
        DataFormatException empty = assertThrows(DataFormatException.class,
                () -> ImageSources.load(fail, Split.TRAIN, storage));
        assertTrue(empty.getMessage().contains("zz_empty") && empty.getMessage().contains("empty class folder"),
                empty.getMessage());
        FileImageSource skipped = ImageSources.load(config(root, "data.dataset=image-folder", "data.num_classes=4",
                "data.bad_images=skip"), Split.TRAIN, storage);
        assertEquals(6, skipped.size());
        assertEquals(1, skipped.skipped().count());
        assertTrue(skipped.skipped().notes().get(0).contains("zz_empty"));

        Files.createDirectories(root.resolve("val").resolve("unknown_class"));
        TinyImages.write(root.resolve("val").resolve("unknown_class").resolve("a.jpg"), TinyImages.encoded(0, 0, 1));
        DataFormatException unknown = assertThrows(DataFormatException.class,
                () -> ImageSources.load(fail, Split.TEST, storage));
        assertTrue(unknown.getMessage().contains("unknown_class"), unknown.getMessage());

        DataFormatException missing = assertThrows(DataFormatException.class, () -> ImageSources.load(
                config(root.resolve("nowhere"), "data.dataset=imagenet100", "data.num_classes=4"), Split.TRAIN, storage));
        assertTrue(missing.getMessage().contains("nowhere") && missing.getMessage().contains("does not exist"),
                missing.getMessage());
    }

    @Test
    void domainNetListsAreReadInDomainOrder(@TempDir Path root) throws IOException {
        List<String> domains = List.of("real", "quickdraw", "painting", "sketch", "infograph", "clipart");
        TinyImages.domainNet(root, domains, 2, 2, 1, 5);
        JobConfig c = config(root, "data.dataset=domainnet", "data.num_classes=2",
                "scenario.type=domain-incremental", "scenario.tasks=6");
        FileImageSource train = ImageSources.load(c, Split.TRAIN, storage);
        FileImageSource test = ImageSources.load(c, Split.TEST, storage);
        assertEquals(6 * 4, train.size());
        assertEquals(6 * 2, test.size());
        for (int i = 0; i < train.size(); i++) {
            assertEquals(i / 4, train.domain(i));
            assertTrue(train.index().paths()[i].startsWith(domains.get(i / 4) + "/"));
        }
        List<TaskSplit> tasks = Scenarios.split(c, train, test, storage);
        assertEquals(6, tasks.size());
        assertArrayEquals(new int[] {4, 5, 6, 7}, tasks.get(1).trainIndices());
        assertArrayEquals(new int[] {2, 3}, tasks.get(1).testIndices());
        assertEquals("domain quickdraw", tasks.get(1).description());
    }

    @Test
    void domainNetListProblemsNameTheListLine(@TempDir Path root) throws IOException {
        List<String> domains = List.of("real", "sketch");
        TinyImages.domainNet(root, domains, 2, 2, 1, 6);
        Path list = root.resolve("sketch_train.txt");
        String good = Files.readString(list);
        String[] sets = {"data.dataset=domainnet", "data.num_classes=2", "scenario.type=domain-incremental",
                "scenario.tasks=2", "scenario.domains=[real,sketch]"};
        List<String[]> cases = List.of(
                new String[] {"sketch/class_0/missing.jpg 0\n", "line 5", "does not exist"},
                new String[] {"sketch/class_0/sketch_0_0.jpg 7\n", "line 5", "label 7 out of range, expected 0..1"},
                new String[] {"sketch/class_0/sketch_0_0.jpg zero\n", "line 5", "not an integer"},
                new String[] {"just-a-path\n", "line 5", "not \"relative/path label\""});
        for (String[] c : cases) {
            Files.writeString(list, good + c[0]);
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> ImageSources.load(config(root, sets), Split.TRAIN, storage));
            assertTrue(e.getMessage().contains("sketch_train.txt " + c[1]) && e.getMessage().contains(c[2]),
                    e.getMessage());
            List<String> skipSets = new ArrayList<>(List.of(sets));
            skipSets.add("data.bad_images=skip");
            FileImageSource skipped = ImageSources.load(config(root, skipSets.toArray(String[]::new)), Split.TRAIN,
                    storage);
            assertEquals(8, skipped.size(), "the bad line is left out");
            assertEquals(1, skipped.skipped().count());
        }
        Files.delete(root.resolve("real_test.txt"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> ImageSources.load(config(root, sets), Split.TEST, storage));
        assertTrue(e.getMessage().contains("real_test.txt") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void anUnreadableImageIsReportedWithItsPath(@TempDir Path root) throws IOException {
        TinyImages.classFolders(root, 2, 2, 1, 1);
        Path bad = root.resolve("train").resolve("n00_class").resolve("zz_truncated.jpg");
        byte[] jpeg = TinyImages.jpeg(TinyImages.picture(0, 64, 64, 1), false);
        TinyImages.write(bad, Arrays.copyOf(jpeg, jpeg.length / 3));
        FileImageSource train = ImageSources.load(config(root, "data.dataset=image-folder", "data.num_classes=2"),
                Split.TRAIN, storage);
        BadImageException e = assertThrows(BadImageException.class, () -> train.read(2));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("corrupt"), e.getMessage());
    }
}

package org.pnrspark.data;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.pnrspark.util.Storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Class-folder layout ({@code <dir>/<class>/<image>}, as torchvision's ImageFolder and the reference's DALI
 * reader): the label of a class is its index in the sorted list of the training split's class folders
 * (docs/reference.md §9); images are listed class by class, in file-name order. Hidden files and files without an image
 * extension are ignored.
 */
public final class ClassFolders {
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

    private ClassFolders() {}

    /** The sorted class folder names of a split directory. */
    public static List<String> classNames(Storage storage, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus s : list(storage, dir, "a directory of class folders")) {
            if (s.isDirectory() && !hidden(s.getPath().getName())) names.add(s.getPath().getName());
        }
        if (names.isEmpty()) {
            throw new DataFormatException(dir + ": holds no class folders, expected <class>/<image> below it");
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /**
     * @param classes the class names in label order (the training split's); folders of {@code dir} must be among them
     */
    public static Listing read(Storage storage, String dir, List<String> classes, boolean skipBad) throws IOException {
        List<String> present = classNames(storage, dir);
        List<String> unknown = present.stream().filter(c -> !classes.contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new DataFormatException(dir + ": class folder(s) " + first(unknown) + " are not among the "
                    + classes.size() + " class folders of the training split; both splits need the same class names");
        }
        List<String> paths = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int skipped = 0;
        for (String cls : present) {
            String classDir = Storage.child(dir, cls);
            List<String> files = new ArrayList<>();
            for (FileStatus s : list(storage, classDir, "a class folder")) {
                String name = s.getPath().getName();
                if (s.isFile() && !hidden(name) && EXTENSIONS.contains(extension(name))) files.add(name);
            }
            if (files.isEmpty()) {
                String problem = classDir + ": empty class folder (no .jpg, .jpeg, .png or .bmp files)";
                if (!skipBad) {
                    throw new DataFormatException(problem + "; remove the folder (labels would shift), add images, "
                            + "or set data.bad_images = skip to keep its label and train without it");
                }
                skipped++;
                if (notes.size() < Listing.MAX_NOTES) notes.add(problem);
                continue;
            }
            files.sort(Comparator.naturalOrder());
            int label = classes.indexOf(cls);
            for (String f : files) {
                paths.add(cls + "/" + f);
                labels.add(label);
            }
        }
        int[] lb = labels.stream().mapToInt(Integer::intValue).toArray();
        return new Listing(ImageIndex.ofFiles(dir, dir, paths.toArray(String[]::new), lb, new int[lb.length]),
                skipped, notes);
    }

    private static FileStatus[] list(Storage storage, String dir, String expected) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = p.getFileSystem(storage.conf());
        try {
            if (!fs.getFileStatus(p).isDirectory()) throw new DataFormatException(dir + ": not a directory, expected " + expected);
            FileStatus[] entries = fs.listStatus(p);
            Arrays.sort(entries, Comparator.comparing(s -> s.getPath().getName()));
            return entries;
        } catch (FileNotFoundException e) {
            throw new DataFormatException(dir + ": does not exist, expected " + expected);
        }
    }

    static boolean hidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String first(List<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }
}

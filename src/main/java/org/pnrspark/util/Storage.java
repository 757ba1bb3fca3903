package org.pnrspark.util;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Files through the Hadoop FileSystem API, so that every path may be local ({@code file://}, or a plain path
 * on a machine whose default file system is local) or on HDFS ({@code hdfs://}), or any other Hadoop file system.
 * Writes are atomic: a temporary sibling is written, then renamed over the target.
 */
public final class Storage {
    private final Configuration conf;

    public Storage(Configuration conf) {
        this.conf = conf;
    }

    public Configuration conf() {
        return conf;
    }

    /** The fully qualified form of a path or URI (scheme and authority of the file system that holds it). */
    public String qualify(String location) throws IOException {
        Path p = new Path(location);
        return p.getFileSystem(conf).makeQualified(p).toString();
    }

    public static String child(String dir, String name) {
        return new Path(new Path(dir), name).toString();
    }

    public boolean exists(String location) throws IOException {
        Path p = new Path(location);
        return p.getFileSystem(conf).exists(p);
    }

    public boolean isFile(String location) throws IOException {
        Path p = new Path(location);
        try {
            return p.getFileSystem(conf).getFileStatus(p).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    public long size(String location) throws IOException {
        Path p = new Path(location);
        return p.getFileSystem(conf).getFileStatus(p).getLen();
    }

    public InputStream open(String location) throws IOException {
        Path p = new Path(location);
        return p.getFileSystem(conf).open(p);
    }

    public byte[] readAll(String location) throws IOException {
        try (InputStream in = open(location)) {
            return in.readAllBytes();
        }
    }

    public String readString(String location) throws IOException {
        return new String(readAll(location), StandardCharsets.UTF_8);
    }

    /** Names of the entries of a directory, or an empty list if it does not exist. */
    public List<String> list(String dir) throws IOException {
        Path p = new Path(dir);
        FileSystem fs = p.getFileSystem(conf);
        List<String> names = new ArrayList<>();
        if (!fs.exists(p)) return names;
        for (FileStatus s : fs.listStatus(p)) names.add(s.getPath().getName());
        return names;
    }

    /** Deletes a file or a directory tree; false if it did not exist. */
    public boolean delete(String location) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        return fs.exists(p) && fs.delete(p, true);
    }

    /** Whether the location is an existing directory. */
    public boolean isDirectory(String location) throws IOException {
        Path p = new Path(location);
        try {
            return p.getFileSystem(conf).getFileStatus(p).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes a file atomically: readers see the old content or the new one, never a partial file. The temporary
     * sibling is removed if writing fails.
     */
    public void writeAtomically(String location, Writer writer) throws IOException {
        Path target = new Path(location);
        FileSystem fs = target.getFileSystem(conf);
        // no .crc side files next to local results (Hadoop's local file system writes them by default)
        if (fs instanceof LocalFileSystem local) fs = local.getRaw();
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        fs.mkdirs(target.getParent());
        boolean done = false;
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                writer.write(out);
            }
            FileContext.getFileContext(fs.getUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
            done = true;
        } finally {
            if (!done) fs.delete(tmp, false);
        }
    }

    public void writeString(String location, String text) throws IOException {
        writeAtomically(location, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 of a file's content, in lowercase hex. */
    public String sha256(String location) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = open(location)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) digest.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}

package org.pnrspark.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open shard files of a JVM, read by positioned reads (which Hadoop streams allow from several threads): a shard
 * is opened once, not once per image. A dataset has few shards (hundreds of MiB each), so they stay open.
 */
public final class ShardStreams {
    private final Configuration conf;
    private final Map<String, FSDataInputStream> open = new ConcurrentHashMap<>();

    public ShardStreams(Configuration conf) {
        this.conf = conf;
    }

    public byte[] read(String shard, long offset, int length) throws IOException {
        FSDataInputStream in = open.get(shard);
        if (in == null) {
            synchronized (this) {
                in = open.get(shard);
                if (in == null) {
                    Path p = new Path(shard);
                    in = p.getFileSystem(conf).open(p);
                    open.put(shard, in);
                }
            }
        }
        byte[] bytes = new byte[length];
        in.readFully(offset, bytes);
        return bytes;
    }
}

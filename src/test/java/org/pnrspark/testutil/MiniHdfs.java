package org.pnrspark.testutil;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.IOException;
import java.nio.file.Path;

/** A real HDFS in this JVM: one NameNode and one DataNode storing under a test directory. */
public final class MiniHdfs {
    private MiniHdfs() {}

    public static MiniDFSCluster start(Path dir) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.toString());
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return cluster;
    }

    /** The cluster's file-system URI, hdfs://localhost:port. */
    public static String uri(MiniDFSCluster cluster) {
        return "hdfs://localhost:" + cluster.getNameNodePort();
    }
}

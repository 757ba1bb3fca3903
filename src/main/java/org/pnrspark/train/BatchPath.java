package org.pnrspark.train;

import java.util.Arrays;

/**
 * A minibatch named by the images it holds, in the form of a relative path, so that dl4j-spark's
 * {@code fitPaths} can hand it to an executor, which builds the minibatch itself ({@link TaskBatchLoader}).
 * Nothing is opened under this path: {@code pnr-batch/t<task>/e<epoch>/b<batch>/<index>_<index>_...}.
 */
public record BatchPath(int task, int epoch, int batch, int[] indices) {
    private static final String PREFIX = "pnr-batch/";

    public String encode() {
        StringBuilder sb = new StringBuilder(PREFIX.length() + 16 + indices.length * 6);
        sb.append(PREFIX).append('t').append(task).append("/e").append(epoch).append("/b").append(batch).append('/');
        for (int i = 0; i < indices.length; i++) {
            if (i > 0) sb.append('_');
            sb.append(indices[i]);
        }
        return sb.toString();
    }

    public static BatchPath decode(String path) {
        int start = path.indexOf(PREFIX);
        if (start < 0) throw new IllegalArgumentException("not a minibatch path: " + path);
        String[] parts = path.substring(start + PREFIX.length()).split("/");
        if (parts.length != 4) throw new IllegalArgumentException("malformed minibatch path: " + path);
        int[] indices = Arrays.stream(parts[3].split("_")).mapToInt(Integer::parseInt).toArray();
        return new BatchPath(Integer.parseInt(parts[0].substring(1)), Integer.parseInt(parts[1].substring(1)),
                Integer.parseInt(parts[2].substring(1)), indices);
    }
}

package org.pnrspark.train;

import java.io.IOException;

/** A checkpoint that cannot be used: missing, truncated, corrupt (checksum mismatch) or of another network. */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }
}

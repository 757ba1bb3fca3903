package org.pnrspark.train;

import java.io.Serializable;

/**
 * The keys one minibatch enqueued on a worker, sent back to the driver: queue q's columns slot .. slot + B - 1,
 * view 1's and view 2's keys as [B, D] row-major.
 */
public record QueueWrite(int queue, long slot, float[] view1, float[] view2) implements Serializable {}

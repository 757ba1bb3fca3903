package org.pnrspark.train;

import java.io.Serializable;

/**
 * The keys one minibatch enqueued on a worker, sent back to the driver: queue q's columns slot .. slot + B - 1,
 * view 1's and view 2's keys as [B, D] row-major. {@code position} is the minibatch's place in the round's
 * synchronous order (step · workers + worker): where a round holds more keys than the queue, later positions
 * overwrite earlier ones at the same slots, as they would in the reference.
 */
public record QueueWrite(int queue, int position, long slot, float[] view1, float[] view2) implements Serializable {}

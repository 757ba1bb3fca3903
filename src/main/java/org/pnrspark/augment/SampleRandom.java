package org.pnrspark.augment;

import java.util.SplittableRandom;

/**
 * Random streams keyed by what they randomise, so that a run is reproducible from its seed whatever executor,
 * thread or partition handles an image: the augmentation of sample i in epoch e of task t always draws the same
 * numbers.
 */
public final class SampleRandom {
    private SampleRandom() {}

    public static SplittableRandom forSample(long seed, int task, int epoch, long sample) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ task);
        h = mix(h ^ ((long) epoch << 20));
        h = mix(h ^ sample);
        return new SplittableRandom(h);
    }

    /** A stream for a named purpose (shuffling, initialisation) of a task and epoch. */
    public static SplittableRandom forPurpose(long seed, String purpose, int task, int epoch) {
        return forSample(seed ^ purpose.hashCode() * 0xC2B2AE3D27D4EB4FL, task, epoch, -1);
    }

    /** The SplitMix64 finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fisher-Yates shuffle of a copy of the array. */
    public static int[] shuffled(int[] values, SplittableRandom rng) {
        int[] out = values.clone();
        for (int i = out.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }
}

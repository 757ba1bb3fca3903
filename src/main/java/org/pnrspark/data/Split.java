package org.pnrspark.data;

/** The two splits every dataset has: training images (for SSL and the probe) and test images (for the probe). */
public enum Split {
    TRAIN, TEST
}

package org.pnrspark.train;

import java.time.Duration;

/** Another job holds the output directory ({@link OutputLock}), or this job lost it. One line, for the user. */
public final class OutputLockedException extends RuntimeException {
    OutputLockedException(String message) {
        super(message);
    }

    OutputLockedException(String dir, String file, String holder, Duration age) {
        this("output.dir " + dir + " is in use by " + holder + ", refreshed " + age.toSeconds() + " s ago (lock "
                + file + "); wait for that job to end, or remove the lock file if it is gone");
    }
}

package org.pnrspark.data;

import org.pnrspark.image.DecodedImage;

/**
 * The images of one split as executors use them: labels known up front, pixels read and decoded on demand.
 * Implementations are shared by the threads of a JVM.
 */
public interface ImageSource {
    int size();

    int label(int i);

    /** A copy of all labels. */
    int[] labels();

    /** The index of image i's domain in scenario.domains (DomainNet), else 0. */
    default int domain(int i) {
        return 0;
    }

    /** Image i decoded; a {@link BadImageException} naming the file if it cannot be. */
    DecodedImage read(int i);

    /** Entries of the layout left out under data.bad_images = skip (list lines, empty class folders). */
    default Listing.Skipped skipped() {
        return Listing.Skipped.NONE;
    }
}

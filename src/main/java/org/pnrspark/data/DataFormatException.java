package org.pnrspark.data;

/** A data file that is missing, truncated or not in the expected format. The message names the file. */
public class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The first DataFormatException in the cause chain of {@code e}, or null. */
    public static DataFormatException causeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataFormatException d) return d;
        }
        return null;
    }
}

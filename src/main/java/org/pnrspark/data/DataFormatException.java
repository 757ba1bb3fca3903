package org.pnrspark.data;

/** A data file that is missing, truncated or not in the expected format. The message names the file. */
public class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

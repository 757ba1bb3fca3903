package org.pnrspark.data;

/** An image that cannot be used: unreadable, corrupt, or in an unsupported format. The message names the file. */
public final class BadImageException extends DataFormatException {
    private final String file;

    public BadImageException(String file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    public BadImageException(String file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    public String file() {
        return file;
    }
}

package org.pnrspark.config;

/**
 * A configuration value that cannot be used. The message names the key, the offending value, where it came
 * from and what was expected, so that it can be shown to the user as is.
 */
public final class InvalidConfigException extends RuntimeException {
    private final String key;

    public InvalidConfigException(String key, String message) {
        super("Invalid configuration: " + key + ": " + message);
        this.key = key;
    }

    public static InvalidConfigException expected(String key, Object value, String origin, String expected) {
        String where = origin == null || origin.isEmpty() ? "" : " (" + origin + ")";
        return new InvalidConfigException(key, "got " + render(value) + where + ", expected " + expected);
    }

    public String key() {
        return key;
    }

    private static String render(Object value) {
        if (value instanceof String s) return '"' + s + '"';
        return String.valueOf(value);
    }
}

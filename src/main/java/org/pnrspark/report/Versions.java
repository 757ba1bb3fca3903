package org.pnrspark.report;

/** Versions of the project and its libraries, from the jars' manifests (recorded with every result). */
public final class Versions {
    private Versions() {}

    public static String project() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public static String of(Class<?> type) {
        String v = type.getPackage().getImplementationVersion();
        if (v != null) return v;
        var src = type.getProtectionDomain().getCodeSource();
        if (src == null) return "unknown";
        String path = src.getLocation().getPath();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d[^/]*?)(-[a-z0-9_-]+)?\\.jar$").matcher(path);
        return m.find() ? m.group(1) : "unknown";
    }
}

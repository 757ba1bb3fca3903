package org.pnrspark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.util.Map;
import java.util.regex.Pattern;

/** What is written next to the results or logged never carries credentials: they are replaced by {@value #REDACTED}. */
public final class Redaction {
    private Redaction() {}

    /** Spark properties whose values are credentials: never written next to the results or logged. */
    static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(secret|password|passwd|token|credential|access\\.key|account\\.key|session\\.key|private\\.key"
                    + "|encryption\\.key|api\\.?key|\\.sas\\.|keytab).*");
    /** user:password@ in a URI (e.g. data.root), whose password part is redacted the same way. */
    static final Pattern URI_PASSWORD = Pattern.compile("(://[^/\\s\"@:]+):[^/\\s\"@]+@");
    static final String REDACTED = "<redacted>";

    /**
     * The effective configuration as HOCON, the form written next to the results, with the values of
     * credential-like Spark properties ({@link #SECRET_KEY}) replaced by {@value #REDACTED}.
     */
    public static String hocon(Config effective) {
        Config shown = effective;
        if (effective.hasPath(ConfigLoader.SPARK_PASS_THROUGH)) {
            for (Map.Entry<String, ConfigValue> e : effective.getConfig(ConfigLoader.SPARK_PASS_THROUGH).entrySet()) {
                if (SECRET_KEY.matcher(e.getKey()).matches()) {
                    shown = shown.withValue(ConfigLoader.SPARK_PASS_THROUGH + "." + e.getKey(), ConfigValueFactory.fromAnyRef(REDACTED));
                }
            }
        }
        String text = shown.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
        return uri(text);
    }

    /** A location with the password of its user:password@ part, if any, redacted. */
    public static String uri(String location) {
        return URI_PASSWORD.matcher(location).replaceAll("$1:" + REDACTED + "@");
    }
}

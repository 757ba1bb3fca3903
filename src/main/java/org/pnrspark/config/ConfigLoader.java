package org.pnrspark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.io.File;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns the defaults ({@code reference.conf}), benchmark files and {@code --set key=value} overrides into a
 * validated {@link JobConfig}. Every problem is reported as one {@link InvalidConfigException} naming the key,
 * the value, where it was set and what was expected, before anything else starts.
 */
public final class ConfigLoader {
    /** Keys under this path are Spark properties, passed through unchecked. */
    public static final String SPARK_PASS_THROUGH = "spark.conf";

    private ConfigLoader() {}

    /**
     * A configuration text with a description of where it came from (a file name, "--set"); {@code file} is set
     * for local files, so that their {@code include "other.conf"} statements resolve relative to them.
     */
    public record Source(String origin, String text, File file) {
        public Source(String origin, String text) {
            this(origin, text, null);
        }
    }

    /** The defaults shipped in the jar. */
    public static Config reference() {
        return ConfigFactory.parseResources(ConfigLoader.class, "/reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    }

    /** Reads a local configuration file (HOCON; includes are resolved relative to it). */
    public static Source readLocalFile(String path) {
        File file = new File(path);
        if (!file.isFile() || !file.canRead()) {
            throw new InvalidConfigException("--conf", "cannot read configuration file " + file.getAbsolutePath()
                    + ": expected a readable HOCON file");
        }
        try {
            return new Source(path, java.nio.file.Files.readString(file.toPath()), file);
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("--conf", "cannot read " + file.getAbsolutePath() + ": " + e.getMessage());
        }
    }

    /**
     * Loads a configuration: the sources in order (later ones win), then the overrides ({@code key=value}),
     * on top of the defaults.
     */
    public static JobConfig load(List<Source> sources, List<String> overrides) {
        Config reference = reference();
        Config merged = ConfigFactory.empty();
        for (Source source : sources) {
            merged = parse(source).withFallback(merged);
        }
        merged = parseOverrides(overrides, reference).withFallback(merged);
        rejectUnknownKeys(merged, reference);
        Config effective;
        try {
            effective = merged.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException(keyOf(e), e.getMessage());
        }
        return ConfigRecords.of(effective);
    }

    private static Config parse(Source source) {
        try {
            if (source.file() != null) {
                return ConfigFactory.parseFile(source.file(),
                        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
            }
            return ConfigFactory.parseString(source.text(),
                    ConfigParseOptions.defaults().setOriginDescription(source.origin()).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw new InvalidConfigException("(syntax)", source.origin() + ": " + e.getMessage());
        }
    }

    /**
     * Applies {@code key=value} pairs. The value is read according to the type of the key in the defaults: a
     * string stays verbatim (so that {@code hdfs://host/path} or {@code local[2]} need no quoting) unless it is
     * in double quotes, a number, boolean or list is parsed as HOCON.
     */
    static Config parseOverrides(List<String> overrides, Config reference) {
        Config result = ConfigFactory.empty();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new InvalidConfigException("--set", "got \"" + override + "\", expected key=value");
            }
            String key = override.substring(0, eq).trim();
            String origin = "--set " + override;
            String raw = unquoted(override.substring(eq + 1).trim(), key, origin);
            ConfigValue value;
            if (key.startsWith(SPARK_PASS_THROUGH + ".")) {
                String sparkKey = key.substring(SPARK_PASS_THROUGH.length() + 1);
                result = result.withValue(SPARK_PASS_THROUGH + "." + ConfigUtil.joinPath(sparkKey),
                        ConfigValueFactory.fromAnyRef(raw, origin));
                continue;
            }
            if (!reference.hasPathOrNull(key) || reference.getValue(key).valueType() == ConfigValueType.OBJECT) {
                throw unknownKey(key, origin, reference);
            }
            ConfigValueType type = reference.getValue(key).valueType();
            if (type == ConfigValueType.STRING) {
                value = ConfigValueFactory.fromAnyRef(raw, origin);
            } else {
                String text = type == ConfigValueType.LIST && !raw.startsWith("[") ? "[" + raw + "]" : raw;
                try {
                    value = ConfigFactory.parseString("v = " + text,
                            ConfigParseOptions.defaults().setOriginDescription(origin)).getValue("v");
                } catch (ConfigException e) {
                    throw InvalidConfigException.expected(key, raw, origin, describe(type));
                }
            }
            result = result.withValue(key, value);
        }
        return result;
    }

    /**
     * A value in double quotes is a HOCON quoted string, as it would be in a configuration file: the quotes go,
     * escapes are resolved ({@code spark.master="local-cluster[2,1,3072]"} reaches Spark without quotes). Anything
     * else is returned as it is.
     */
    static String unquoted(String raw, String key, String origin) {
        if (raw.length() < 2 || !raw.startsWith("\"") || !raw.endsWith("\"")) return raw;
        try {
            return ConfigFactory.parseString("v = " + raw, ConfigParseOptions.defaults().setOriginDescription(origin))
                    .getString("v");
        } catch (ConfigException e) {
            throw InvalidConfigException.expected(key, raw, origin, "a quoted string that ends where it starts");
        }
    }

    /** Every leaf of the user's configuration must exist in the defaults, except Spark pass-through properties. */
    static void rejectUnknownKeys(Config user, Config reference) {
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(SPARK_PASS_THROUGH + ".")) continue;
            if (!reference.hasPathOrNull(key)) {
                throw unknownKey(key, entry.getValue().origin().description(), reference);
            }
            ConfigValueType expected = reference.getValue(key).valueType();
            ConfigValueType actual = entry.getValue().valueType();
            if (expected == ConfigValueType.OBJECT || (expected == ConfigValueType.LIST) != (actual == ConfigValueType.LIST)) {
                throw InvalidConfigException.expected(key, entry.getValue().unwrapped(),
                        entry.getValue().origin().description(), describe(expected));
            }
        }
    }

    private static InvalidConfigException unknownKey(String key, String origin, Config reference) {
        String suggestion = closestKey(key, reference);
        return new InvalidConfigException(key, "unknown key (" + origin + ")"
                + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
                + " The keys are listed with their defaults in reference.conf (README: Configuration).");
    }

    private static String closestKey(String key, Config reference) {
        return reference.entrySet().stream().map(Map.Entry::getKey)
                .filter(k -> !k.startsWith(SPARK_PASS_THROUGH))
                .min(Comparator.comparingInt(k -> editDistance(k, key)))
                .filter(k -> editDistance(k, key) <= Math.max(3, key.length() / 3))
                .orElse(null);
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(ConfigValueType type) {
        return switch (type) {
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case LIST -> "a list, e.g. [1, 2]";
            case STRING -> "a string";
            default -> "a value of type " + type.name().toLowerCase();
        };
    }

    private static String keyOf(ConfigException e) {
        return e.origin() == null ? "(configuration)" : e.origin().description();
    }

}

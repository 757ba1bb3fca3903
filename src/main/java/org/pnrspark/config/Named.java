package org.pnrspark.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** An enum constant with the spelling used in configuration files. */
public interface Named {
    /** That spelling: by default the constant's name in lower case, '_' written '-' (SMALL_CNN: small-cnn). */
    default String configName() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E> & Named> E parse(Class<E> type, String key, String value, String origin) {
        for (E e : type.getEnumConstants()) {
            if (e.configName().equals(value)) return e;
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(Named::configName)
                .collect(Collectors.joining(", "));
        throw InvalidConfigException.expected(key, value, origin, "one of: " + allowed);
    }
}

package org.pnrspark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.List;

/** Typed, validated reads of a configuration; every failure names the key, the value and where it was set. */
record ConfigValues(Config c) {
    String origin(String key) {
        return c.hasPathOrNull(key) ? c.getValue(key).origin().description() : "";
    }

    private Object raw(String key) {
        return c.getValue(key).unwrapped();
    }

    /** The value of {@code key} as {@code get} reads it, or an error naming the key, its value and what was expected. */
    private <T> T typed(String key, java.util.function.Function<String, T> get, String expected) {
        try {
            return get.apply(key);
        } catch (ConfigException e) {
            throw InvalidConfigException.expected(key, raw(key), origin(key), expected);
        }
    }

    double number(String key) {
        return typed(key, c::getDouble, "a number");
    }

    double positive(String key) {
        double x = number(key);
        if (!(x > 0) || Double.isInfinite(x)) throw InvalidConfigException.expected(key, x, origin(key), "a number > 0");
        return x;
    }

    double nonNegative(String key) {
        double x = number(key);
        if (!(x >= 0) || Double.isInfinite(x)) throw InvalidConfigException.expected(key, x, origin(key), "a number >= 0");
        return x;
    }

    double fraction(String key) {
        double x = number(key);
        if (!(x >= 0 && x < 1)) throw InvalidConfigException.expected(key, x, origin(key), "a number in [0, 1)");
        return x;
    }

    long longValue(String key) {
        return typed(key, c::getLong, "an integer");
    }

    int intAtLeast(String key, int min) {
        int x = typed(key, c::getInt, "an integer >= " + min);
        if (x < min) throw InvalidConfigException.expected(key, x, origin(key), "an integer >= " + min);
        return x;
    }

    boolean bool(String key) {
        return typed(key, c::getBoolean, "true or false");
    }

    String nonEmptyString(String key) {
        String s = typed(key, c::getString, "a string").trim();
        if (s.isEmpty()) throw InvalidConfigException.expected(key, s, origin(key), "a non-empty string");
        return s;
    }

    String oneOf(String key, String... allowed) {
        String s = nonEmptyString(key);
        for (String a : allowed) if (a.equals(s)) return s;
        throw InvalidConfigException.expected(key, s, origin(key), "one of: " + String.join(", ", allowed));
    }

    <E extends Enum<E> & Named> E named(String key, Class<E> type) {
        return Named.parse(type, key, nonEmptyString(key), origin(key));
    }

    List<Double> doubleList(String key) {
        return typed(key, c::getDoubleList, "a list of numbers");
    }

    List<String> stringList(String key) {
        return typed(key, c::getStringList, "a list of strings");
    }

    List<Integer> intList(String key) {
        return typed(key, c::getIntList, "a list of integers");
    }

    /**
     * One entry of a per-view list: [both views] or [view 1, view 2], as the reference replicates a single value.
     */
    double pair(String key, int view, double min, double max, boolean minInclusive) {
        List<Double> xs = doubleList(key);
        String range = (minInclusive ? "[" : "(") + min + ", " + (max == Double.MAX_VALUE ? "inf)" : max + "]");
        if (xs.size() != 1 && xs.size() != 2) {
            throw InvalidConfigException.expected(key, xs, origin(key),
                    "[value] or [view 1, view 2], each in " + range);
        }
        double x = xs.get(xs.size() == 1 ? 0 : view);
        boolean ok = (minInclusive ? x >= min : x > min) && x <= max;
        if (!ok) throw InvalidConfigException.expected(key, xs, origin(key), "values in " + range);
        return x;
    }
}

package dev.pgcache.config;

import java.util.Locale;
import java.util.Optional;

/** Enum constants as settings, metric tags and messages write them: the constant's name in lower case. */
public final class EnumText {

    private EnumText() {
    }

    /** The constant's name in lower case, e.g. {@code circuit_open}. */
    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The constant the text names, in any case and with surrounding blanks; empty when none does. */
    public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
        try {
            return Optional.of(Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

package dev.pgcache.protocol;

/** The UTF-8 length of text without encoding it: for sizes of large values and answers, which a copy would double. */
public final class Utf8 {

    private Utf8() {
    }

    /** Bytes of the text in UTF-8; an unpaired surrogate counts as the one byte ('?') it is encoded as. */
    public static long length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Index of the first surrogate that is not half of a pair (high then low), or -1 when the text is well-formed UTF-16. */
    public static int unpairedSurrogateAt(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}

package dev.pgcache.api;

/**
 * The methods each path of the API takes, for the {@code Allow} header that RFC 9110 requires
 * on a 405 (the REST layer does not add it). Kept next to the resources it describes; a test
 * checks it against them.
 */
final class AllowedMethods {

    private AllowedMethods() {
    }

    /** The Allow header value for a raw path, or null when the path is not one of the API's. */
    static String forPath(String path) {
        String[] s = path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
        if (s.length < 2 || !s[0].equals("v1")) {
            return null;
        }
        if (s[1].equals("cache")) {
            return switch (s.length) {
                case 3 -> "GET, HEAD, DELETE";
                case 4 -> "GET, HEAD, PUT, DELETE" + (s[3].equals("batch-get") || s[3].equals("batch-put") ? ", POST" : "");
                case 5 -> s[4].equals("touch") ? "POST" : null;
                default -> null;
            };
        }
        if (s.length == 3 && s[1].equals("admin") && s[2].equals("purge")) {
            return "POST";
        }
        if (s.length == 2 && (s[1].equals("stats") || s[1].equals("namespaces"))) {
            return "GET, HEAD";
        }
        return null;
    }
}

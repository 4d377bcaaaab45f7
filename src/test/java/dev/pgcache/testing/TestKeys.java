package dev.pgcache.testing;

/** The secrets of the test keys configured under %test in application.properties. They guard nothing real. */
public final class TestKeys {

    public static final String ALL = "test-all-secret";
    public static final String READER = "test-reader-secret";
    public static final String WRITER = "test-writer-secret";
    public static final String ADMIN = "test-admin-secret";
    public static final String NARROW = "test-narrow-secret";
    /** read and write on namespaces matching *-public */
    public static final String PUBLIC = "test-public-secret";
    /** JSON-RPC callers: read on rpc-*, plus write (RPC_WRITER) or admin (RPC_ADMIN). */
    public static final String RPC_READER = "test-rpc-reader-secret";
    public static final String RPC_WRITER = "test-rpc-writer-secret";
    public static final String RPC_ADMIN = "test-rpc-admin-secret";

    /** Send this header (any value) to make a request without the default key. */
    public static final String ANONYMOUS = "X-Test-Anonymous";

    private TestKeys() {
    }
}

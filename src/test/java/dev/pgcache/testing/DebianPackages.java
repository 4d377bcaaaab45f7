package dev.pgcache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian packages the tests need (PgBouncer, Prometheus), installed with apt-get when missing, as
 * CI's machine may not have them. A package that cannot be installed fails the test that needs it;
 * no test skips for a missing tool.
 */
public final class DebianPackages {

    private DebianPackages() {
    }

    /** {@code binary}, after installing {@code pkg} if it is not there yet. */
    public static String installed(String pkg, String binary) {
        if (Files.isExecutable(Path.of(binary))) {
            return binary;
        }
        System.err.println(binary + " is missing: installing Debian's package " + pkg);
        run(List.of("apt-get", "install", "-y", "-q", pkg));
        if (!Files.isExecutable(Path.of(binary))) {
            run(List.of("apt-get", "update", "-q"));
            run(List.of("apt-get", "install", "-y", "-q", pkg));
        }
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " is needed and could not be installed: run apt-get install " + pkg + " as root");
        }
        return binary;
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println(String.join(" ", cmd) + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.pgcache.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/** Keeps the application's router, so a test can list every route it holds. */
@ApplicationScoped
public class RouterSpy {

    private volatile Router router;

    void observe(@Observes Router router) {
        this.router = router;
    }

    public Router router() {
        return router;
    }
}

package dev.pgcache.entry;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

import dev.pgcache.tracing.Tracing;

/**
 * A prepared statement inside a span, from its preparation to its close, named after the
 * statement ({@link StatementNames}): {@code sql UPSERT}. The span carries the statement's name and,
 * when it fails, the SQLSTATE; never its text's values, bound parameters or the error message
 * (PostgreSQL's messages quote the offending row's key). Made only while tracing is on
 * ({@link Connections#prepare}); with tracing off the driver's statement is used as it is.
 */
final class TracedStatement implements InvocationHandler {

    static final AttributeKey<String> STATEMENT = AttributeKey.stringKey("pgcache.statement");
    static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> SQLSTATE = AttributeKey.stringKey("db.response.status_code");

    private final PreparedStatement inner;
    private final Span span;
    private boolean ended;

    private TracedStatement(PreparedStatement inner, Span span) {
        this.inner = inner;
        this.span = span;
    }

    static PreparedStatement wrap(PreparedStatement inner, Tracing tracing, String statement) {
        String name = StatementNames.of(statement);
        Span span = tracing.start("sql " + name, null);
        span.setAttribute(STATEMENT, name);
        span.setAttribute(DB_SYSTEM, "postgresql");
        return (PreparedStatement) Proxy.newProxyInstance(TracedStatement.class.getClassLoader(),
                new Class<?>[] { PreparedStatement.class }, new TracedStatement(inner, span));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(inner, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                span.setStatus(StatusCode.ERROR, "SQLSTATE " + s.getSQLState());
                if (s.getSQLState() != null) {
                    span.setAttribute(SQLSTATE, s.getSQLState());
                }
            }
            throw cause;
        } finally {
            if (method.getName().equals("close") && !ended) {
                ended = true;
                span.end();
            }
        }
    }
}

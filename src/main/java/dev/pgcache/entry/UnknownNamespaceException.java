package dev.pgcache.entry;

/** A caller named a namespace that is not declared while undeclared namespaces are turned off. */
public class UnknownNamespaceException extends RuntimeException {

    private final String namespace;

    public UnknownNamespaceException(String namespace) {
        super("namespace '" + namespace + "' is not declared (pgcache.namespaces." + namespace
                + ".*) and pgcache.allow-undeclared-namespaces is false", null, false, false);
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }
}

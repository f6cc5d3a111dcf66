package dev.nestlet.ns;

/** Work done by a namespace worker thread while it is inside another mount namespace. */
@FunctionalInterface
public interface NamespaceTask<T> {
    T run() throws Exception;
}

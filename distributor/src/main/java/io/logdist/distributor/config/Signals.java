package io.logdist.distributor.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Proxy;

/**
 * Runs an action on SIGHUP, through {@code sun.misc.Signal} reached by reflection: not
 * every JVM has it (and naming it in source would be a compiler warning), so failing to
 * install the handler is an expected outcome, not an error.
 *
 * <p>Thread: the JVM runs the action on its own signal-dispatch thread; it must only hand
 * work over (e.g. submit it to an executor).
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /**
     * Installs {@code action} as the SIGHUP handler (which replaces the default: SIGHUP no
     * longer stops the process).
     *
     * @return false when this JVM cannot handle SIGHUP
     */
    static boolean onHangup(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle":
                        action.run();
                        return null;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    case "toString":
                        return "logdist SIGHUP handler";
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("cannot handle SIGHUP in this JVM: {}", e.toString());
            return false;
        }
    }
}

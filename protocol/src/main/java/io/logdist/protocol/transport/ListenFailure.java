package io.logdist.protocol.transport;

import io.logdist.protocol.cli.HostPort;
import io.netty.channel.ChannelFuture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.UnresolvedAddressException;

/**
 * A listener that could not be bound, with a message an operator can act on in one line:
 * what was to listen, where, and why ({@code cannot listen for emitters on
 * 127.0.0.1:7000: address already in use}), not the transport's own wording.
 *
 * <p>Immutable; any thread.
 */
public final class ListenFailure extends UncheckedIOException {
    private ListenFailure(String message, Throwable cause) {
        super(message, new IOException(message, cause));
    }

    /**
     * Waits for {@code bind} and returns it when it succeeded.
     *
     * @param what    what was to listen, e.g. {@code "listen for emitters"}
     * @param address where, as the operator gave it
     * @throws ListenFailure when the bind failed
     */
    public static ChannelFuture awaitBound(ChannelFuture bind, String what, HostPort address) throws InterruptedException {
        bind.await();
        if (!bind.isSuccess()) {
            throw new ListenFailure("cannot " + what + " on " + address + ": " + reason(bind.cause()), bind.cause());
        }
        return bind;
    }

    /** Why a bind failed, in a few words where the cause is a common one. */
    private static String reason(Throwable cause) {
        if (cause instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        String message = String.valueOf(cause.getMessage());
        if (message.contains("Address already in use")) {
            return "address already in use";
        }
        if (message.contains("Cannot assign requested address")) {
            return "not an address of this machine";
        }
        if (message.contains("Permission denied")) {
            return "permission denied (ports below 1024 need privileges)";
        }
        return message;
    }
}

package io.logdist.protocol.cli;

import picocli.CommandLine;

import java.net.InetSocketAddress;

/**
 * A {@code HOST:PORT} address as written on command lines and in config files
 * ({@code [::1]:7000} for IPv6). Parsing resolves nothing; {@link #toSocketAddress()}
 * does, for binding.
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port=" + port + " is outside 0..65535");
        }
    }

    /** Parses {@code value}; throws {@link IllegalArgumentException} saying what is accepted. */
    public static HostPort parse(String value) {
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException("'" + value + "' is not an address; write HOST:PORT, e.g. 127.0.0.1:7000");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                throw new IllegalArgumentException("'" + value + "' is not an address; write an IPv6 host in one pair of brackets, e.g. [::1]:7000");
            }
        } else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            // unbracketed, "::1" would read as host ":" port 1
            throw new IllegalArgumentException("'" + value + "' is not an address; write an IPv6 host in brackets, e.g. [::1]:7000");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' has an empty host; write HOST:PORT, e.g. 127.0.0.1:7000");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("'" + value + "' has a space in its host; write HOST:PORT, e.g. 127.0.0.1:7000");
        }
        String digits = v.substring(colon + 1);
        // Integer.parseInt would take "+7000" and digits of other scripts.
        if (digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + value + "' has no numeric port; write HOST:PORT, e.g. 127.0.0.1:7000");
        }
        int port = Integer.parseInt(digits);
        if (port > 65535) {
            throw new IllegalArgumentException("'" + value + "' has port " + port + ", outside 0..65535");
        }
        return new HostPort(host, port);
    }

    /** The address to bind: a host name is looked up here, on the calling thread. */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** picocli converter for {@link HostPort}. */
    public static final class Converter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}

package io.logdist.protocol.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {
    @Test
    void shouldParseHostAndPort() {
        assertThat(HostPort.parse("127.0.0.1:7000")).isEqualTo(new HostPort("127.0.0.1", 7000));
        assertThat(HostPort.parse("analyzer-3.example.org:65535")).isEqualTo(new HostPort("analyzer-3.example.org", 65535));
        assertThat(HostPort.parse("localhost:0")).isEqualTo(new HostPort("localhost", 0));
    }

    @Test
    void shouldParseAnIpv6AddressInBrackets() {
        assertThat(HostPort.parse("[::1]:7000")).isEqualTo(new HostPort("::1", 7000));
        assertThat(HostPort.parse("[2001:db8::7]:443")).isEqualTo(new HostPort("2001:db8::7", 443));
    }

    @Test
    void shouldWriteAnIpv6AddressBackInBrackets() {
        assertThat(HostPort.parse("[::1]:7000")).hasToString("[::1]:7000");
        assertThat(HostPort.parse("localhost:7000")).hasToString("localhost:7000");
    }

    @Test
    void shouldIgnoreSurroundingSpace() {
        assertThat(HostPort.parse("  localhost:7000 ")).isEqualTo(new HostPort("localhost", 7000));
    }

    @Test
    void shouldMakeAResolvedSocketAddressToBind() {
        java.net.InetSocketAddress a = HostPort.parse("127.0.0.1:7000").toSocketAddress();
        assertThat(a.isUnresolved()).isFalse();
        assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(a.getPort()).isEqualTo(7000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost :7000", "local host:7000", "[::1]]:7000", "[[::1]:7000", "localhost:+7000",
        "localhost:٧٠٠٠", "localhost:07000000", "localhost:-1"})
    void shouldRejectWhatWouldOnlyFailLaterAtBindOrConnect(String value) {
        assertThatThrownBy(() -> HostPort.parse(value)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("'" + value + "'");
    }

    @Test
    void shouldConvertForPicocliLikeParse() {
        assertThat(new HostPort.Converter().convert("[::1]:1")).isEqualTo(new HostPort("::1", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7000", "localhost", "localhost:", ":7000", ""})
    void shouldRejectAnAddressWithoutHostAndPort(String value) {
        assertThatThrownBy(() -> HostPort.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("'" + value + "' is not an address; write HOST:PORT, e.g. 127.0.0.1:7000");
    }

    @Test
    void shouldRejectANonNumericPort() {
        assertThatThrownBy(() -> HostPort.parse("localhost:http"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no numeric port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:65536", "localhost:-1", "localhost:99999999"})
    void shouldRejectAPortOutside0To65535(String value) {
        assertThatThrownBy(() -> HostPort.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "::1:7000", "2001:db8::7:443", "[::1:7000", "::1]:7000", "[]:7000"})
    void shouldRejectAnIpv6AddressWithoutItsBrackets(String value) {
        // "::1" would otherwise parse as host ":" port 1, and "::1:7000" is ambiguous
        assertThatThrownBy(() -> HostPort.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'" + value + "'");
    }

    @Test
    void shouldRefuseAnEmptyHostOrAPortOutOfRangeWhenConstructed() {
        assertThatThrownBy(() -> new HostPort("", 1)).isInstanceOf(IllegalArgumentException.class).hasMessage("host is empty");
        assertThatThrownBy(() -> new HostPort("h", 70000)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("port=70000 is outside 0..65535");
    }
}

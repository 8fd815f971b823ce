package io.logdist.distributor.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminHttpHandlerTest {
    @Test
    void shouldDecodeAPathAsAPathKeepingPlusSigns() {
        assertThat(AdminHttpHandler.segments("/api/analyzers/a+b")).containsExactly("api", "analyzers", "a+b");
        assertThat(AdminHttpHandler.segments("/api/analyzers/a%20b?x=1")).containsExactly("api", "analyzers", "a b");
    }

    @Test
    void shouldRefuseAMalformedEscape() {
        // The handler answers 400 for this rather than dropping the connection.
        assertThatThrownBy(() -> AdminHttpHandler.segments("/api/analyzers/a%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AdminHttpHandler.segments("/api/analyzers/a%")).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.logdist.distributor.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {

    @Test
    void shouldLogEachConditionAtMostOncePerIntervalAndCountTheRest() {
        Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-test");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        AtomicLong now = new AtomicLong(1_000);
        RateLimitedLog log = new RateLimitedLog(logger, 1_000, now::get);

        assertThat(log.warn("nack:a1", "analyzer {} refused a delivery", "a1")).isTrue();
        assertThat(log.warn("nack:a1", "analyzer {} refused a delivery", "a1")).isFalse();
        assertThat(log.warn("nack:a2", "analyzer {} refused a delivery", "a2")).as("another condition").isTrue();
        now.addAndGet(999_999_999L);
        assertThat(log.warn("nack:a1", "analyzer {} refused a delivery", "a1")).isFalse();
        now.addAndGet(1);
        assertThat(log.warn("nack:a1", "analyzer {} refused a delivery", "a1")).isTrue();

        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
            "analyzer a1 refused a delivery",
            "analyzer a2 refused a delivery",
            "analyzer a1 refused a delivery (2 more like this suppressed)");
        assertThat(events.list.get(2).getKeyValuePairs()).anySatisfy(kv -> {
            assertThat(kv.key).isEqualTo("suppressed");
            assertThat(kv.value).isEqualTo(2L);
        });
        logger.detachAppender(events);
    }
}

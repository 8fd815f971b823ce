package io.logdist.distributor.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFormatTest {
    private final PrintStream stderr = System.err;

    @AfterEach
    void restore() throws Exception {
        System.setErr(stderr);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(LogFormatTest.class.getResource("/logback-test.xml"));
    }

    @Test
    void shouldWriteOneJsonObjectPerLineWithIdsAsFields() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(LogFormat.JSON.apply()).isTrue();
        Logger log = LoggerFactory.getLogger("io.logdist.distributor.link.AnalyzerLink");
        MDC.put("connection", "c-42");
        try {
            log.atWarn().addKeyValue("analyzer", "a1").addKeyValue("emitterId", 7L).log("analyzer {} down\n(twice)", "a1");
        } finally {
            MDC.remove("connection");
        }
        log.info("second");
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("WARN");
        assertThat(first.get("loggerName").asText()).endsWith("AnalyzerLink");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("analyzer a1 down\n(twice)");
        assertThat(first.get("mdc").get("connection").asText()).isEqualTo("c-42");
        assertThat(first.get("kvpList").toString()).contains("\"analyzer\":\"a1\"", "\"emitterId\":");
        assertThat(json.readTree(lines.get(1)).get("formattedMessage").asText()).isEqualTo("second");
    }

    @Test
    void shouldAcceptTextOrJsonOnly() {
        assertThat(LogFormat.parse("JSON")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.parse(" text ")).isEqualTo(LogFormat.TEXT);
        assertThatThrownBy(() -> LogFormat.parse("xml")).hasMessage("logFormat='xml' must be text or json");
    }
}

package dev.kv.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kvd's logback.xml (the one in src/main, not the tests' own) configured as kvd would be, with the
 * environment given as context properties, and its console output captured.
 */
class LogFormatTest {
  private final List<LoggerContext> contexts = new ArrayList<>();

  @AfterEach
  void stop() {
    contexts.forEach(LoggerContext::stop);
  }

  @Test
  void jsonFormatWritesOneParseableObjectPerLine() throws Exception {
    Captured log = configure(Map.of("KV_LOG_FORMAT", "json"));
    Logger logger = log.context.getLogger("dev.kv.server.Example");

    log.context.getMDCAdapter().put("group", "group-1");
    logger.info("hello \"quoted\"\nsecond line, tab\t, ünïcode");
    log.context.getMDCAdapter().remove("group");
    logger.warn("apply failed", new IllegalStateException("boom"));

    List<String> lines = log.lines();
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode info = json.readTree(lines.get(0));
    assertThat(info.get("level").asText()).isEqualTo("INFO");
    assertThat(info.get("logger_name").asText()).isEqualTo("dev.kv.server.Example");
    assertThat(info.get("message").asText())
        .isEqualTo("hello \"quoted\"\nsecond line, tab\t, ünïcode");
    assertThat(info.get("group").asText()).isEqualTo("group-1");
    assertThat(info.hasNonNull("@timestamp")).isTrue();
    assertThat(info.hasNonNull("thread_name")).isTrue();
    JsonNode warn = json.readTree(lines.get(1));
    assertThat(warn.get("level").asText()).isEqualTo("WARN");
    assertThat(warn.get("stack_trace").asText())
        .contains("java.lang.IllegalStateException: boom")
        .contains("at dev.kv.server.logging.LogFormatTest");
  }

  @Test
  void textIsTheDefault() throws Exception {
    Captured log = configure(Map.of());

    log.context.getLogger("dev.kv.server.Example").info("hello");

    assertThat(log.encoder().effectiveFormat()).isEqualTo("text");
    assertThat(log.lines())
        .singleElement()
        .asString()
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] dev\\.kv\\.server\\.Example - hello");
  }

  @Test
  void anUnknownFormatLogsAsTextAndSaysSo() throws Exception {
    Captured log = configure(Map.of("KV_LOG_FORMAT", "yaml"));

    log.context.getLogger("dev.kv.server.Example").info("still here");

    assertThat(log.encoder().effectiveFormat()).isEqualTo("text");
    assertThat(log.lines()).singleElement().asString().endsWith("still here");
    assertThat(log.context.getStatusManager().getCopyOfStatusList())
        .anySatisfy(
            s -> {
              assertThat(s.getLevel()).isEqualTo(Status.WARN);
              assertThat(s.getMessage())
                  .isEqualTo("KV_LOG_FORMAT is 'yaml'; it must be text or json. Logging as text.");
            });
  }

  @Test
  void levelsComeFromTheEnvironment() throws Exception {
    Captured log = configure(Map.of("KV_LOG_LEVEL", "WARN", "KV_RATIS_LOG_LEVEL", "ERROR"));

    log.context.getLogger("dev.kv.server.Example").info("not shown");
    log.context.getLogger("dev.kv.server.Example").warn("shown");
    log.context.getLogger("org.apache.ratis.server.impl.RaftServerImpl").warn("not shown");

    assertThat(log.lines()).singleElement().asString().endsWith("shown");
  }

  private Captured configure(Map<String, String> environment) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    contexts.add(context);
    environment.forEach(context::putProperty);
    URL config = LogFormatEncoder.class.getClassLoader().getResource("logback.xml");
    assertThat(config).as("kv-server's logback.xml on the classpath").isNotNull();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(config);
    ConsoleAppender<?> console =
        (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    console.setOutputStream(out);
    return new Captured(context, console, out);
  }

  private record Captured(
      LoggerContext context, ConsoleAppender<?> console, ByteArrayOutputStream out) {
    List<String> lines() {
      String text = out.toString(StandardCharsets.UTF_8);
      return text.isEmpty() ? List.of() : List.of(text.split(System.lineSeparator()));
    }

    LogFormatEncoder encoder() {
      return (LogFormatEncoder) console.getEncoder();
    }
  }
}

package dev.kv.server.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;

/**
 * The encoder of kvd's console log, chosen by {@code <format>} (KV_LOG_FORMAT in logback.xml):
 * {@code text}, lines for humans after {@code <pattern>}; or {@code json}, one JSON object per line
 * for log collectors (Logstash's field names: {@code @timestamp}, {@code level}, {@code
 * logger_name}, {@code thread_name}, {@code message}, {@code stack_trace}, MDC entries).
 *
 * <p>A value that is neither, such as a typo, falls back to text with a warning in logback's
 * status: a wrong setting must not silence the log.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {
  /** The environment variable logback.xml reads the format from. */
  public static final String ENV_FORMAT = "KV_LOG_FORMAT";

  private String format = "text";
  private String pattern = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";
  private Encoder<ILoggingEvent> delegate;

  /** {@code text} or {@code json} (case and surrounding blanks ignored). */
  public void setFormat(String format) {
    this.format = format;
  }

  /** The layout pattern of the text format. */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** The format in effect once started. */
  public String effectiveFormat() {
    return delegate instanceof LogstashEncoder ? "json" : "text";
  }

  @Override
  public void start() {
    String chosen = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    if (chosen.equals("json")) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(getContext());
      delegate = json;
    } else {
      if (!chosen.equals("text")) {
        addWarn(ENV_FORMAT + " is '" + format + "'; it must be text or json. Logging as text.");
      }
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(getContext());
      text.setPattern(pattern);
      delegate = text;
    }
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}

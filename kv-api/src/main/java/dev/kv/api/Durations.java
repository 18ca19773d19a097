package dev.kv.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way durations are written in this project's flags and environment: {@code 250ms},
 * {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}). Shared by kvd, kvctl and
 * kv-bench so that the same text means the same thing everywhere.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /** Parses a positive duration, or throws naming the accepted forms. */
  public static Duration parsePositive(String text) {
    Duration duration = parse(text.trim().toLowerCase(Locale.ROOT));
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a positive duration; use e.g. 500ms, 10s, 2m or 1h");
    }
    return duration;
  }

  /** Parses a duration of zero or more, or throws naming the accepted forms. */
  public static Duration parseNonNegative(String text) {
    Duration duration = parse(text.trim().toLowerCase(Locale.ROOT));
    if (duration == null || duration.isNegative()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; use e.g. 0s, 500ms, 10s, 2m or 1h");
    }
    return duration;
  }

  private static Duration parse(String text) {
    Matcher m = SIMPLE.matcher(text);
    if (m.matches()) {
      long amount;
      try {
        amount = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        return null;
      }
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
    try {
      return Duration.parse(text.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

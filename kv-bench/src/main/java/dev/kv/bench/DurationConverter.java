package dev.kv.bench;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses a duration such as "500ms", "30s", "2m", or ISO-8601 ("PT30S"); zero is allowed (a run
 * without warm-up). The same syntax as kvctl's --timeout; kvctl's converter is package-private in
 * kv-client, so this is a copy until the two share a public one.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Override
  public Duration convert(String text) {
    Duration duration = parse(text.trim().toLowerCase(Locale.ROOT));
    if (duration == null || duration.isNegative()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration; use e.g. 500ms, 30s, 2m or 1h");
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

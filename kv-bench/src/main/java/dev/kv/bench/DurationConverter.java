package dev.kv.bench;

import dev.kv.api.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli's view of {@link Durations} for the bench, where zero is allowed (a run without
 * warm-up); the same syntax as kvd's and kvctl's durations.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String text) {
    try {
      return Durations.parseNonNegative(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}

package dev.kv.api.placement;

import java.util.regex.Pattern;

/** The name of a Raft group that owns data, e.g. {@code data-0}. */
public record GroupId(String value) {
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public GroupId {
    if (value == null || !VALID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "group id '" + value + "' is invalid; use 1-63 lowercase letters, digits and '-'");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}

package dev.kv.api.placement;

import java.util.regex.Pattern;

/** The stable name of a node in the cluster, e.g. {@code n1} or {@code kv-0}. */
public record NodeId(String value) {
  private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public NodeId {
    if (!VALID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "node id '" + value + "' is invalid; use 1-63 lowercase letters, digits and '-'"
              + " (not at the ends), like a DNS label");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}

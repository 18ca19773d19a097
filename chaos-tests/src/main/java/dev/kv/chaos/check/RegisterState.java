package dev.kv.chaos.check;

/**
 * The state of one key as {@link RegisterModel} sees it.
 *
 * @param value the current value; null when the key is absent
 * @param version 0 when absent, 1 after the first write, +1 for every write since
 */
public record RegisterState(String value, long version) {
  /** A key that was never written. */
  public static final RegisterState ABSENT = new RegisterState(null, 0);

  public boolean present() {
    return value != null;
  }

  /** The state after a successful write of {@code newValue}. */
  public RegisterState write(String newValue) {
    return new RegisterState(newValue, version + 1);
  }

  @Override
  public String toString() {
    return present()
        ? "\"" + value + "\" at version " + version
        : "absent (version " + version + ")";
  }
}

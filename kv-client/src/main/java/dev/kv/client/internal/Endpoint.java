package dev.kv.client.internal;

/**
 * A node address, "host:port" or "[ipv6]:port". Parsing is strict so that a typo in a configuration
 * fails at startup rather than as a connection error much later.
 */
public record Endpoint(String host, int port) {

  /**
   * Parses "host:port" or "[ipv6]:port".
   *
   * @throws IllegalArgumentException with the reason, for the caller to prefix with the setting
   */
  public static Endpoint parse(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw invalid(text);
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0 || text.indexOf(':') != colon) {
        throw invalid(text);
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      throw invalid(text);
    }
    return new Endpoint(host, parsePort(text, port));
  }

  private static int parsePort(String text, String port) {
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid(text);
    }
    int value = Integer.parseInt(port);
    if (value < 1 || value > 65535) {
      throw invalid(text);
    }
    return value;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "is \""
            + text
            + "\"; expected host:port with a port in 1..65535 ([v6-address]:port for"
            + " IPv6)");
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}

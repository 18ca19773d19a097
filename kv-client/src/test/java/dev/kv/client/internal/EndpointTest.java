package dev.kv.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {
  @ParameterizedTest
  @ValueSource(
      strings = {"127.0.0.1:7001", "localhost:1", "kv-0.kv.default.svc:65535", "[::1]:7001"})
  void parsesAndPrintsTheSameText(String text) {
    assertThat(Endpoint.parse(text).toString()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "host",
        "host:",
        ":7001",
        "host:0",
        "host:65536",
        "host:x",
        "a:b:1",
        "[::1]",
        "[::1]7001",
        "[]:1",
        "ho st:1",
        "host:+1",
        "host:123456"
      })
  void rejectsMalformedText(String text) {
    assertThatThrownBy(() -> Endpoint.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("is \"" + text + "\"; expected host:port");
  }

  @Test
  void keepsIpv6HostsWithoutBrackets() {
    assertThat(Endpoint.parse("[::1]:7001")).isEqualTo(new Endpoint("::1", 7001));
  }
}

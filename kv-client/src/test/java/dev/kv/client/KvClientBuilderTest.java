package dev.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.v1.WriteId;
import dev.kv.client.testing.FakeKvServer;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder rejects every bad setting by name, and the client owns what it creates. */
class KvClientBuilderTest {

  @Test
  void endpointsAreRequired() {
    assertThatThrownBy(() -> KvClient.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoints is empty; at least one host:port is required");
  }

  @Test
  void aMalformedEndpointIsNamedByPosition() {
    assertThatThrownBy(() -> KvClient.builder().endpoints("a:1", "b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("endpoints[1] is \"b\"; expected host:port");
  }

  @Test
  void aRepeatedEndpointIsRejected() {
    assertThatThrownBy(() -> KvClient.builder().endpoints("a:1", "b:2", "a:1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoints[2] is \"a:1\", the same as endpoints[0]");
  }

  @Test
  void durationsMustBePositive() {
    assertRejected(
        KvClient.builder().endpoints("a:1").timeout(Duration.ZERO),
        "timeout is 0 ms; it must be positive");
    assertRejected(
        KvClient.builder().endpoints("a:1").attemptTimeout(Duration.ofMillis(-5)),
        "attemptTimeout is -5 ms; it must be positive");
    assertRejected(
        KvClient.builder().endpoints("a:1").retryBackoff(Duration.ZERO, Duration.ofSeconds(1)),
        "retryBackoff initial is 0 ms; it must be positive");
    assertRejected(
        KvClient.builder()
            .endpoints("a:1")
            .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(10)),
        "retryBackoff max is 10 ms; it must be >= initial (50 ms)");
  }

  @Test
  void clientIdMustBeSixteenBytes() {
    assertRejected(
        KvClient.builder().endpoints("a:1").clientId(new byte[15]),
        "clientId is 15 bytes; it must be 16");
  }

  @Test
  void viewTimeoutMustBePositive() {
    try (KvClient client = KvClient.builder().endpoints("a:1").build()) {
      assertThatThrownBy(() -> client.withTimeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timeout is 0 ms; it must be positive");
    }
  }

  @Test
  void theGivenClientIdIsUsedForWrites() {
    byte[] clientId = new byte[16];
    clientId[0] = 42;
    try (FakeKvServer server = FakeKvServer.start();
        KvClient client = FakeKvServer.clientFor(server.endpoint()).clientId(clientId).build()) {
      client.put("k", "v");
      WriteId id = server.writeIds().get(0);
      assertThat(id.getClientId().toByteArray()).isEqualTo(clientId);
    }
  }

  @Test
  void eachClientPicksItsOwnRandomId() {
    try (FakeKvServer server = FakeKvServer.start()) {
      for (int i = 0; i < 2; i++) {
        try (KvClient client = FakeKvServer.clientFor(server.endpoint()).build()) {
          client.put("k", "v");
        }
      }
      List<WriteId> ids = server.writeIds();
      assertThat(ids.get(0).getClientId()).isNotEqualTo(ids.get(1).getClientId());
    }
  }

  @Test
  void closeShutsDownTheChannelsItCreatedLazily() {
    List<ManagedChannel> created = new ArrayList<>();
    try (FakeKvServer server = FakeKvServer.start()) {
      KvClient client =
          FakeKvServer.clientFor(server.endpoint(), FakeKvServer.unusedEndpoint())
              .channelFactory(
                  endpoint -> {
                    ManagedChannel channel = FakeKvServer.channel(endpoint);
                    created.add(channel);
                    return channel;
                  })
              .build();
      assertThat(created).isEmpty();
      client.put("k", "v");
      client.put("k", "v");
      assertThat(created).hasSize(1);

      client.close();

      assertThat(created).allSatisfy(channel -> assertThat(channel.isTerminated()).isTrue());
    }
  }

  private static void assertRejected(KvClient.Builder builder, String message) {
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}

package dev.kv.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndpointSelectorTest {
  private static final Endpoint A = new Endpoint("a", 1);
  private static final Endpoint B = new Endpoint("b", 2);
  private static final Endpoint C = new Endpoint("c", 3);
  private static final long COOLDOWN = TimeUnit.SECONDS.toNanos(1);

  private long now = 1_000;
  private final EndpointSelector selector =
      new EndpointSelector(List.of(A, B, C), () -> now, COOLDOWN);

  @Test
  void startsAtTheFirstEndpointAndRetriesRoundRobin() {
    assertThat(selector.first()).isEqualTo(A);
    assertThat(selector.after(A)).isEqualTo(B);
    assertThat(selector.after(B)).isEqualTo(C);
    assertThat(selector.after(C)).isEqualTo(A);
  }

  @Test
  void anEndpointOutsideTheListIsIgnoredAndTheNextAttemptStartsAtThePreferredOne() {
    Endpoint routedLeader = new Endpoint("leader", 9);
    selector.succeeded(B);

    selector.succeeded(routedLeader);
    selector.refusedConnection(routedLeader);

    assertThat(selector.first()).isEqualTo(B);
    assertThat(selector.after(routedLeader)).isEqualTo(B);
  }

  @Test
  void callsStartWhereTheLastOneSucceeded() {
    selector.succeeded(C);

    assertThat(selector.first()).isEqualTo(C);
    assertThat(selector.after(C)).isEqualTo(A);
  }

  @Test
  void anEndpointThatRefusedIsPassedOverUntilItsCooldownEnds() {
    selector.refusedConnection(B);

    assertThat(selector.after(A)).isEqualTo(C);
    assertThat(selector.after(C)).isEqualTo(A);

    now += COOLDOWN;
    assertThat(selector.after(A)).isEqualTo(B);
  }

  @Test
  void aPreferredEndpointThatRefusedIsPassedOverToo() {
    selector.refusedConnection(A);

    assertThat(selector.first()).isEqualTo(B);
  }

  @Test
  void whenEveryEndpointRefusedItKeepsRotating() {
    selector.refusedConnection(A);
    selector.refusedConnection(B);
    selector.refusedConnection(C);

    assertThat(selector.after(A)).isEqualTo(B);
    assertThat(selector.after(B)).isEqualTo(C);
  }

  @Test
  void successClearsARefusal() {
    selector.refusedConnection(B);
    selector.succeeded(B);

    assertThat(selector.after(A)).isEqualTo(B);
  }
}

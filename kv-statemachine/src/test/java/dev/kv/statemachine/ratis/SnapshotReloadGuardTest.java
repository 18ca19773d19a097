package dev.kv.statemachine.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotReloadGuardTest {
  private final SnapshotReloadGuard guard = new SnapshotReloadGuard();
  private final AtomicInteger pauses = new AtomicInteger();

  @Test
  void pausesWhenNoReloadIsUnderWay() {
    guard.unlessReloading("group-1", pauses::incrementAndGet);
    assertThat(pauses).hasValue(1);
  }

  @Test
  void refusesToPauseFromTheStartOfAReloadNamingTheReplica() {
    guard.reloadStarted();
    assertThatThrownBy(() -> guard.unlessReloading("group-1", pauses::incrementAndGet))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("group-1")
        .hasMessageContaining("still being loaded");
    assertThat(pauses).hasValue(0);
  }

  @Test
  void callsDuringTheReloadDoNotEndIt() {
    guard.reloadStarted();
    guard.onCallFromRatis();
    assertThatThrownBy(() -> guard.unlessReloading("group-1", pauses::incrementAndGet))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCallFromAnotherThreadAfterTheReloadReturnedDoesNotEndIt() throws Exception {
    guard.reloadStarted();
    guard.reloadReturned();
    CompletableFuture.runAsync(guard::onCallFromRatis).get();
    assertThatThrownBy(() -> guard.unlessReloading("group-1", pauses::incrementAndGet))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theReloadingThreadCallingInAgainEndsIt() {
    guard.reloadStarted();
    guard.reloadReturned();
    guard.onCallFromRatis();
    guard.unlessReloading("group-1", pauses::incrementAndGet);
    assertThat(pauses).hasValue(1);
  }

  @Test
  void aNewReloadIsGuardedAgain() {
    guard.reloadStarted();
    guard.reloadReturned();
    guard.onCallFromRatis();
    guard.reloadStarted();
    assertThatThrownBy(() -> guard.unlessReloading("group-1", pauses::incrementAndGet))
        .isInstanceOf(IllegalStateException.class);
  }
}

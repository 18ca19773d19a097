package dev.kv.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kv.chaos.history.CasCondition;
import dev.kv.chaos.history.History;
import dev.kv.chaos.history.HistoryRecorder;
import dev.kv.chaos.history.Output;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LostWritesTest {
  private final AtomicLong clock = new AtomicLong();
  private final HistoryRecorder recorder = new HistoryRecorder(clock::incrementAndGet);

  @Test
  void countsAcknowledgedPutsAndSucceededCasOnly() {
    HistoryRecorder.Client c = recorder.newClient();
    c.invokePut("k", "a").ok(Output.put(1));
    c.invokeCas("k", CasCondition.versionEquals(1), "b").ok(Output.cas(true, 2));
    c.invokeCas("k", CasCondition.versionEquals(1), "c").ok(Output.cas(false, 2));
    c.invokePut("k", "d").failed("UNAVAILABLE");
    c.invokePut("k", "e").indeterminate("DEADLINE_EXCEEDED");
    History history = recorder.snapshot();

    assertThat(ChaosRun.lostWrites(history, Map.of("k", 2L))).isEmpty();
    assertThat(ChaosRun.lostWrites(history, Map.of("k", 1L)))
        .containsExactly("k: 2 acknowledged writes, but the final read saw version 1");
    assertThat(ChaosRun.lostWrites(history, Map.of()))
        .containsExactly("k: 2 acknowledged writes, and no final read was answered");
  }
}

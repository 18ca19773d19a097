package dev.kv.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.testing.SeededRuns;

import com.google.protobuf.ByteString;
import dev.kv.api.v1.WriteId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class WriteSequencerTest {
  private static final ByteString CLIENT = ByteString.copyFrom(new byte[16]);

  /**
   * Any interleaving of writes beginning and settling, checked against a plain model: sequences are
   * 1, 2, 3, ..., and acked_below is exactly the oldest write still in flight (so it never passes
   * one), never decreases, and is the next sequence when nothing is in flight.
   */
  @Test
  void ackedBelowIsTheOldestWriteInFlight() {
    SeededRuns.run("WriteSequencerTest", 300, random -> {
      List<Integer> steps = new ArrayList<>();
      for (int i = random.nextInt(201); i > 0; i--) {
        steps.add(random.nextInt(100));
      }
      checkAgainstModel(steps);
    });
  }

  private static void checkAgainstModel(List<Integer> steps) {
    WriteSequencer sequencer = new WriteSequencer(CLIENT);
    TreeSet<Long> inFlight = new TreeSet<>();
    long nextSequence = 1;
    long lastAckedBelow = 1;

    for (int step : steps) {
      // Slightly more begins than settles, so that several writes overlap.
      if (step < 55 || inFlight.isEmpty()) {
        WriteId id = sequencer.begin();
        assertThat(id.getClientId()).isEqualTo(CLIENT);
        assertThat(id.getSequence()).isEqualTo(nextSequence);
        inFlight.add(nextSequence++);
        assertThat(id.getAckedBelow()).isEqualTo(inFlight.first());
        assertThat(id.getAckedBelow()).isGreaterThanOrEqualTo(lastAckedBelow);
        lastAckedBelow = id.getAckedBelow();
      } else {
        long settled = new ArrayList<>(inFlight).get(step % inFlight.size());
        sequencer.finish(settled);
        inFlight.remove(settled);
      }
      long expected = inFlight.isEmpty() ? nextSequence : inFlight.first();
      assertThat(sequencer.ackedBelow()).isEqualTo(expected);
    }
  }

  @Test
  void retryingAWriteReusesItsId() {
    WriteSequencer sequencer = new WriteSequencer(CLIENT);
    WriteId first = sequencer.begin();
    WriteId second = sequencer.begin();

    assertThat(first.getSequence()).isEqualTo(1);
    assertThat(second.getSequence()).isEqualTo(2);
    assertThat(second.getAckedBelow()).isEqualTo(1);
  }

  @Test
  void settlingAWriteTwiceIsABug() {
    WriteSequencer sequencer = new WriteSequencer(CLIENT);
    long sequence = sequencer.begin().getSequence();
    sequencer.finish(sequence);

    assertThatThrownBy(() -> sequencer.finish(sequence))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("write 1 is not in flight");
  }
}

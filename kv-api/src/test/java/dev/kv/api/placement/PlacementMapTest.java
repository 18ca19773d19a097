package dev.kv.api.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kv.api.KeyHash;
import dev.kv.api.testing.SeededRuns;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementMapTest {
  static final GroupId G0 = new GroupId("data-0");

  @Test
  void aSingleGroupOwnsEveryHash() {
    PlacementMap map = PlacementMap.singleGroup(G0);
    assertThat(map.epoch()).isEqualTo(1);
    for (long h : new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
      assertThat(map.groupFor(h)).isEqualTo(G0);
    }
    assertThat(map.groupFor(KeyHash.of("k".getBytes(StandardCharsets.UTF_8)))).isEqualTo(G0);
  }

  @Test
  void afterAnySequenceOfSplitsEveryHashHasExactlyOneOwnerAndTheEpochGrows() {
    SeededRuns.run("PlacementMapTest", 200, random -> {
      PlacementMap map = PlacementMap.singleGroup(G0);
      for (int i = 1; i <= 1 + random.nextInt(20); i++) {
        long at = random.nextLong();
        if (at == 0 || map.assignments().stream().anyMatch(a -> a.range().start() == at)) {
          continue;
        }
        PlacementMap next = map.split(at, new GroupId("data-" + i));
        assertThat(next.epoch()).isEqualTo(map.epoch() + 1);
        assertThat(next.assignments()).hasSize(map.assignments().size() + 1);
        assertThat(next.groupFor(at)).isEqualTo(new GroupId("data-" + i));
        map = next;
      }
      // The constructor checked contiguity; check ownership by brute force on random hashes.
      for (int probe = 0; probe < 200; probe++) {
        long h = random.nextLong();
        long owners = map.assignments().stream().filter(a -> a.range().contains(h)).count();
        assertThat(owners).isEqualTo(1);
        PlacementMap finalMap = map;
        assertThat(map.groupFor(h))
            .isEqualTo(finalMap.assignments().stream().filter(a -> a.range().contains(h))
                .findFirst().orElseThrow().group());
      }
    });
  }

  @Test
  void gapsOverlapsAndOpenEndsAreRejected() {
    var a = new PlacementMap.Assignment(new HashRange(0, 100), G0);
    var gap = new PlacementMap.Assignment(new HashRange(101, 0), G0);
    var overlap = new PlacementMap.Assignment(new HashRange(50, 0), G0);
    assertThatThrownBy(() -> new PlacementMap(1, List.of(a, gap)))
        .hasMessageContaining("without gaps or overlaps");
    assertThatThrownBy(() -> new PlacementMap(1, List.of(a, overlap)))
        .hasMessageContaining("without gaps or overlaps");
    assertThatThrownBy(() -> new PlacementMap(1, List.of(a)))
        .hasMessageContaining("must reach the end of the ring");
    assertThatThrownBy(() -> new PlacementMap(0, List.of(new PlacementMap.Assignment(HashRange.WHOLE_RING, G0))))
        .hasMessageContaining("epoch is 0");
    assertThatThrownBy(() -> new HashRange(5, 5)).hasMessageContaining("empty or reversed");
    assertThatThrownBy(() -> PlacementMap.singleGroup(G0).split(0, G0))
        .hasMessageContaining("already the start of a range");
    assertThatThrownBy(() -> new GroupId("Data_0")).hasMessageContaining("is invalid");
  }

  @Test
  void unsignedOrderIsUsedAcrossTheSignBoundary() {
    PlacementMap map = PlacementMap.singleGroup(G0).split(Long.MIN_VALUE, new GroupId("upper"));
    assertThat(map.groupFor(Long.MAX_VALUE)).isEqualTo(G0);
    assertThat(map.groupFor(Long.MIN_VALUE)).isEqualTo(new GroupId("upper"));
    assertThat(map.groupFor(-1L)).isEqualTo(new GroupId("upper"));
  }
}

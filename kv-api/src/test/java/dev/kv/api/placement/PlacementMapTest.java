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
  static final NodeId N1 = new NodeId("n1");
  static final List<ClusterNode> NODES =
      List.of(new ClusterNode(N1, "127.0.0.1:7001", "127.0.0.1:6001", NodeState.ACTIVE));

  static PlacementMap single() {
    return PlacementMap.evenly(1, List.of(new GroupPlacement(G0, List.of(N1))), List.of(), NODES);
  }

  static PlacementMap map(long epoch, List<PlacementMap.Assignment> assignments) {
    return new PlacementMap(epoch, assignments, List.of(new GroupPlacement(G0, List.of(N1))), NODES);
  }

  @Test
  void aSingleGroupOwnsEveryHash() {
    PlacementMap map = single();
    assertThat(map.epoch()).isEqualTo(1);
    for (long h : new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
      assertThat(map.groupFor(h)).isEqualTo(G0);
    }
    assertThat(map.groupFor(KeyHash.of("k".getBytes(StandardCharsets.UTF_8)))).isEqualTo(G0);
  }

  @Test
  void afterAnySequenceOfSplitsEveryHashHasExactlyOneOwnerAndTheEpochGrows() {
    SeededRuns.run("PlacementMapTest", 200, random -> {
      PlacementMap map = single();
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
    assertThatThrownBy(() -> map(1, List.of(a, gap)))
        .hasMessageContaining("without gaps or overlaps");
    assertThatThrownBy(() -> map(1, List.of(a, overlap)))
        .hasMessageContaining("without gaps or overlaps");
    assertThatThrownBy(() -> map(1, List.of(a)))
        .hasMessageContaining("must reach the end of the ring");
    assertThatThrownBy(() -> map(0, List.of(new PlacementMap.Assignment(HashRange.WHOLE_RING, G0))))
        .hasMessageContaining("epoch is 0");
    assertThatThrownBy(() -> new HashRange(5, 5)).hasMessageContaining("empty or reversed");
    assertThatThrownBy(() -> single().split(0, G0))
        .hasMessageContaining("already the start of a range");
    assertThatThrownBy(() -> new GroupId("Data_0")).hasMessageContaining("is invalid");
  }

  @Test
  void unsignedOrderIsUsedAcrossTheSignBoundary() {
    PlacementMap map = single().split(Long.MIN_VALUE, new GroupId("upper"));
    assertThat(map.groupFor(Long.MAX_VALUE)).isEqualTo(G0);
    assertThat(map.groupFor(Long.MIN_VALUE)).isEqualTo(new GroupId("upper"));
    assertThat(map.groupFor(-1L)).isEqualTo(new GroupId("upper"));
  }

  @Test
  void evenRangesSplitTheRingIntoEqualParts() {
    List<GroupPlacement> groups = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      groups.add(new GroupPlacement(new GroupId("data-" + i), List.of(N1)));
    }
    PlacementMap map = PlacementMap.evenly(1, groups, List.of(), NODES);

    assertThat(map.assignments()).hasSize(8);
    assertThat(map.assignments().get(1).range().start()).isEqualTo(1L << 61);
    assertThat(map.groupFor(-1L)).isEqualTo(new GroupId("data-7"));
    assertThat(map.rangesOf(new GroupId("data-3")))
        .containsExactly(new HashRange(3L << 61, 4L << 61));
  }

  @Test
  void everyOwnerMustBeAGroupAndEveryReplicaANode() {
    var whole = List.of(new PlacementMap.Assignment(HashRange.WHOLE_RING, new GroupId("ghost")));
    assertThatThrownBy(() -> new PlacementMap(1, whole, List.of(), NODES))
        .hasMessageContaining("group ghost, which the map lacks");
    var onGhostNode = new GroupPlacement(G0, List.of(new NodeId("n9")));
    var ownedByG0 = List.of(new PlacementMap.Assignment(HashRange.WHOLE_RING, G0));
    assertThatThrownBy(() -> new PlacementMap(1, ownedByG0, List.of(onGhostNode), NODES))
        .hasMessageContaining("node n9, which the map lacks");
    assertThatThrownBy(() -> new GroupPlacement(G0, List.of(N1, N1)))
        .hasMessageContaining("two replicas on one node");
  }

  @Test
  void theWireFormRoundTrips() {
    PlacementMap map =
        single()
            .split(Long.MIN_VALUE, new GroupId("upper"))
            .withNode(new ClusterNode(new NodeId("n2"), "h:2", "h:3", NodeState.DRAINING));

    var wire = PlacementCodec.toProto(map, java.util.Map.of(G0, N1));

    assertThat(PlacementCodec.fromProto(wire)).isEqualTo(map);
    assertThat(wire.getGroups(0).getLeaderHint()).isEqualTo("n1");
  }
}

package io.kvstore.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapChangesTest {
  static NodeEntry node(String id, int port) {
    return new NodeEntry(
        id, "127.0.0.1:" + port, "127.0.0.1:" + (port + 1), "z", 1, NodeEntry.State.ACTIVE);
  }

  static final ClusterMap MAP =
      ClusterMap.bootstrap(List.of(node("n1", 100), node("n2", 200), node("n3", 300)), 4, 3);

  @Test
  void withNode_addsAtNextEpoch_andIsIdempotent() {
    ClusterMap added = MapChanges.withNode(MAP, node("n4", 400));
    assertEquals(MAP.epoch() + 1, added.epoch());
    assertTrue(added.node("n4").isPresent());
    assertEquals(MAP.partitions(), added.partitions());
    assertEquals(MAP.metaVoters(), added.metaVoters());
    assertSame(added, MapChanges.withNode(added, node("n4", 400)));
  }

  @Test
  void withNode_refusesATakenIdOrEndpoint() {
    IllegalArgumentException id =
        assertThrows(
            IllegalArgumentException.class, () -> MapChanges.withNode(MAP, node("n1", 900)));
    assertTrue(id.getMessage().contains("already in the cluster map"), id.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MapChanges.withNode(MAP, node("n9", 100)));
  }

  @Test
  void withReplicas_changesOnePartitionAtNextEpoch() {
    ClusterMap four = MapChanges.withNode(MAP, node("n4", 400));
    List<String> moved = MapChanges.moved(four.partition(2).replicas(), "n1", "n4");
    ClusterMap next = MapChanges.withReplicas(four, 2, moved);
    assertEquals(four.epoch() + 1, next.epoch());
    assertEquals(moved, next.partition(2).replicas());
    for (int p = 0; p < 4; p++) {
      if (p != 2) {
        assertEquals(four.partition(p), next.partition(p));
      }
    }
    assertSame(next, MapChanges.withReplicas(next, 2, moved));
  }

  @Test
  void moved_takesTheSourcesSlot_appendsWithoutSource_andIsIdempotent() {
    assertEquals(List.of("a", "d", "c"), MapChanges.moved(List.of("a", "b", "c"), "b", "d"));
    assertEquals(List.of("d", "b", "c"), MapChanges.moved(List.of("a", "b", "c"), "a", "d"));
    assertEquals(List.of("a", "b", "c", "d"), MapChanges.moved(List.of("a", "b", "c"), null, "d"));
    assertEquals(List.of("a", "d", "c"), MapChanges.moved(List.of("a", "d", "c"), "b", "d"));
    assertEquals(List.of("a", "d"), MapChanges.moved(List.of("a", "b", "d"), "b", "d"));
    assertFalse(MapChanges.moved(List.of("a", "b"), null, "b").contains("c"));
  }
}

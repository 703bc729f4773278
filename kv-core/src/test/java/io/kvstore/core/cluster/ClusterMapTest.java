package io.kvstore.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.codec.CodecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterMapTest {
  static List<NodeEntry> nodes(int n, String... zones) {
    List<NodeEntry> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String zone = zones.length == 0 ? "z" + i : zones[(i - 1) % zones.length];
      out.add(
          new NodeEntry(
              "n" + i,
              "127.0.0." + i + ":9860",
              "127.0.0." + i + ":9870",
              zone,
              1,
              NodeEntry.State.ACTIVE));
    }
    return out;
  }

  @Test
  void bootstrap_isDeterministic() {
    assertEquals(
        ClusterMap.bootstrap(nodes(5, "a", "b", "c"), 16, 3),
        ClusterMap.bootstrap(nodes(5, "a", "b", "c"), 16, 3));
  }

  @Test
  void bootstrap_replicaSetsSpanZonesAndNeverRepeatANode() {
    ClusterMap map = ClusterMap.bootstrap(nodes(5, "a", "b", "c"), 16, 3);
    for (PartitionEntry p : map.partitions()) {
      assertEquals(3, new HashSet<>(p.replicas()).size());
      Set<String> zones = new HashSet<>();
      for (String r : p.replicas()) {
        zones.add(map.node(r).orElseThrow().zone());
      }
      assertEquals(3, zones.size(), "partition " + p.id() + " " + p.replicas());
    }
  }

  @Test
  void bootstrap_preferredLeadersSpreadEvenly() {
    for (int n = 3; n <= 9; n++) {
      for (int partitions : new int[] {1, 16, 64}) {
        ClusterMap map = ClusterMap.bootstrap(nodes(n), partitions, 3);
        Map<String, Integer> leads = new HashMap<>();
        for (PartitionEntry p : map.partitions()) {
          leads.merge(p.preferredLeader(), 1, Integer::sum);
        }
        int max = leads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(
            max <= (partitions + n - 1) / n + 1,
            n + " nodes, " + partitions + " partitions: " + leads);
      }
    }
  }

  @Test
  void bootstrap_metaVotersAreTheFirstThreeOrFive() {
    assertEquals(List.of("n1", "n2", "n3"), ClusterMap.bootstrap(nodes(4), 4, 3).metaVoters());
    assertEquals(
        List.of("n1", "n2", "n3", "n4", "n5"), ClusterMap.bootstrap(nodes(7), 4, 3).metaVoters());
  }

  @Test
  void bootstrap_moreReplicasThanNodesIsAClearError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClusterMap.bootstrap(nodes(2), 4, 3));
    assertEquals("3 replicas need at least 3 nodes; 2 configured", e.getMessage());
  }

  @Test
  void codec_roundTripsAndDetectsCorruption() {
    ClusterMap map = ClusterMap.bootstrap(nodes(5, "a", "b"), 32, 3);
    byte[] bytes = ClusterMapCodec.encode(map);
    assertEquals(map, ClusterMapCodec.decode(bytes));
    bytes[10] ^= 1;
    assertThrows(CodecException.class, () -> ClusterMapCodec.decode(bytes));
  }

  @Test
  void partitionOf_respectsHashTags() {
    ClusterMap map = ClusterMap.bootstrap(nodes(3), 64, 3);
    int p = map.partitionOf("{customer-7}/checking".getBytes());
    assertEquals(p, map.partitionOf("{customer-7}/savings".getBytes()));
    assertTrue(p >= 0 && p < 64);
  }
}

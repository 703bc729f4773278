package io.kvstore.core.cluster;

import static io.kvstore.core.cluster.Maps.node;
import static io.kvstore.core.cluster.Maps.nodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.ring.NodeSpec;
import io.kvstore.core.ring.Placement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TargetPlacementTest {
  static LongStream seeds() {
    return LongStream.range(0, 12);
  }

  @Test
  void aBootstrappedMapIsItsOwnTarget() {
    for (int n = 3; n <= 7; n++) {
      ClusterMap map = ClusterMap.bootstrap(nodes(n), 64, 3);
      assertEquals(map.partitions(), TargetPlacement.of(map).partitions(), n + " nodes");
    }
    ClusterMap zoned = ClusterMap.bootstrap(ClusterMapTest.nodes(6, "a", "b", "c"), 32, 3);
    assertEquals(zoned.partitions(), TargetPlacement.of(zoned).partitions());
  }

  @Test
  void membersAreTheRingOverActiveNodesOnly() {
    ClusterMap map =
        ClusterMap.bootstrap(nodes(5), 64, 3)
            .withNodeAdded(node("n6", 6, "z6", 2))
            .withDecommissioning("n2");
    TargetPlacement target = TargetPlacement.of(map);
    List<NodeSpec> active =
        List.of(
            new NodeSpec("n1", "z1", 1),
            new NodeSpec("n3", "z3", 1),
            new NodeSpec("n4", "z4", 1),
            new NodeSpec("n5", "z5", 1),
            new NodeSpec("n6", "z6", 2));
    Placement ring = Placement.compute(active, map.scheme());
    for (int p = 0; p < 64; p++) {
      assertEquals(new HashSet<>(ring.replicas(p)), new HashSet<>(target.replicas(p)), "p" + p);
      assertFalse(target.replicas(p).contains("n2"));
    }
  }

  @Test
  void tooFewActiveNodesKeepsDrainingReplicasInsteadOfShrinking() {
    // n4 is draining and n1 is gone: two ACTIVE nodes for three replicas.
    ClusterMap map =
        ClusterMap.bootstrap(nodes(4), 32, 3).withDecommissioning("n4").withNodeRemoved("n1", true);
    TargetPlacement target = TargetPlacement.of(map);
    for (int p = 0; p < 32; p++) {
      List<String> set = target.replicas(p);
      boolean hadN4 = map.partition(p).replicas().contains("n4");
      assertEquals(hadN4 ? 3 : 2, set.size(), "p" + p + " " + set);
      assertTrue(set.containsAll(List.of("n2", "n3")));
      assertTrue(List.of("n2", "n3").contains(set.get(0)), "an ACTIVE node leads: " + set);
    }
  }

  @Test
  void preferredLeadersSpreadOverActiveNodesAfterAGrow() {
    for (int n = 3; n <= 8; n++) {
      for (int partitions : new int[] {16, 64, 256}) {
        ClusterMap map =
            ClusterMap.bootstrap(nodes(n), partitions, 3).withNodeAdded(node("new", 99, "zn", 1));
        Map<String, Integer> leads = new HashMap<>();
        for (PartitionEntry e : TargetPlacement.of(map).partitions()) {
          leads.merge(e.preferredLeader(), 1, Integer::sum);
        }
        int max = leads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int fair = (partitions + n) / (n + 1);
        assertTrue(max <= fair + 1, n + "+1 nodes, P=" + partitions + ": " + leads);
      }
    }
  }

  /** A map that has reached its target has that same target: a finished plan stays finished. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theTargetIsAFixedPoint(long seed) {
    Random random = new Random(seed);
    List<NodeEntry> cluster = Maps.randomNodes(random, 3 + random.nextInt(5), 1);
    ClusterMap map = ClusterMap.bootstrap(cluster, 16 << random.nextInt(4), 3);
    map = map.withNodeAdded(Maps.randomNodes(random, 1, 50).get(0));
    map = map.withWeight(cluster.get(0).id(), 1 + random.nextInt(3));
    if (cluster.size() > 3) {
      map = map.withDecommissioning(cluster.get(1).id());
    }
    TargetPlacement target = TargetPlacement.of(map);
    for (PartitionEntry e : target.partitions()) {
      map = map.withReplicas(e.id(), e.replicas());
    }
    assertEquals(target.partitions(), TargetPlacement.of(map).partitions());
    assertTrue(MovePlan.of(map).isDone());
  }
}

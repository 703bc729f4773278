package io.kvstore.core.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The placement rules; the statistical properties are in {@link PlacementBalanceTest}. */
class PlacementTest {

  private static List<NodeSpec> nodes(String... idZonePairs) {
    List<NodeSpec> out = new ArrayList<>();
    for (int i = 0; i < idZonePairs.length; i += 2) {
      out.add(NodeSpec.of(idZonePairs[i], idZonePairs[i + 1]));
    }
    return out;
  }

  @Test
  void compute_rejectsMoreReplicasThanNodesInOneLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Placement.compute(nodes("a", "z1", "b", "z2"), PartitionScheme.of(8)));
    assertEquals("3 replicas need at least 3 nodes; 2 configured", e.getMessage());
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> Placement.compute(List.of(), PartitionScheme.of(8), 1, 8));
    assertEquals("1 replica needs at least 1 node; 0 configured", none.getMessage());
  }

  @Test
  void compute_rejectsDuplicateNodeIds() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Placement.compute(nodes("a", "z1", "b", "z2", "a", "z3"), PartitionScheme.of(8)));
    assertEquals("duplicate node id: a", e.getMessage());
  }

  @Test
  void compute_rejectsReplicaAndVirtualNodeCountsBelowOne() {
    List<NodeSpec> three = nodes("a", "z", "b", "z", "c", "z");
    assertThrows(
        IllegalArgumentException.class,
        () -> Placement.compute(three, PartitionScheme.of(8), 0, 8));
    assertThrows(
        IllegalArgumentException.class,
        () -> Placement.compute(three, PartitionScheme.of(8), 3, 0));
  }

  @Test
  void compute_rejectsAbsurdTokenCounts() {
    List<NodeSpec> huge = List.of(new NodeSpec("a", "z", 1 << 20), NodeSpec.of("b", "z"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Placement.compute(huge, PartitionScheme.of(8), 1, 64));
    assertTrue(e.getMessage().contains("tokens"), e.getMessage());
  }

  @Test
  void nodeSpec_rejectsBlankIdsAndZonesAndWeightsBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new NodeSpec(" ", "z", 1));
    assertThrows(IllegalArgumentException.class, () -> new NodeSpec("a", "", 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new NodeSpec("a", "z", 0));
    assertEquals("weight of node a must be at least 1; got 0", e.getMessage());
  }

  // Golden values: a change to the token scheme, the walk, the partition point or the default V
  // fails here. Such a change re-homes replicas of every existing cluster, so it must be a
  // deliberate, migrated change, not a refactoring.
  @Test
  void golden_pinsTokensAndASmallPlacement() {
    assertEquals(0x0617C3E40DDDC188L, KeyHasher.xxh64("a#0".getBytes(StandardCharsets.UTF_8)));
    List<NodeSpec> cluster =
        List.of(
            NodeSpec.of("a", "rack-1"),
            NodeSpec.of("b", "rack-1"),
            NodeSpec.of("c", "rack-2"),
            NodeSpec.of("d", "rack-3"),
            new NodeSpec("e", "rack-3", 2));
    Placement placement = Placement.compute(cluster, PartitionScheme.of(8));
    assertEquals(
        List.of(
            List.of("a", "c", "e"),
            List.of("a", "e", "c"),
            List.of("b", "e", "c"),
            List.of("b", "e", "c"),
            List.of("e", "c", "b"),
            List.of("b", "c", "e"),
            List.of("e", "b", "c"),
            List.of("e", "b", "c")),
        placement.replicaSets());
  }

  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void compute_sameNodesInAnyOrderGiveIdenticalPlacement(long seed) {
    Random random = new Random(seed);
    List<NodeSpec> cluster = Clusters.anyShape(random);
    PartitionScheme scheme = PartitionScheme.of(1 + random.nextInt(256));
    int replicas = 1 + random.nextInt(cluster.size());
    Placement first = Placement.compute(cluster, scheme, replicas, 16);
    List<NodeSpec> shuffled = new ArrayList<>(cluster);
    Collections.shuffle(shuffled, random);
    assertEquals(first, Placement.compute(shuffled, scheme, replicas, 16));
    assertEquals(
        first.replicaSets(), Placement.compute(cluster, scheme, replicas, 16).replicaSets());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void replicas_neverRepeatANodeAndSpanMinOfReplicasAndZonesZones(long seed) {
    Random random = new Random(seed);
    List<NodeSpec> cluster = Clusters.anyShape(random);
    Map<String, String> zoneOf =
        cluster.stream().collect(Collectors.toMap(NodeSpec::id, NodeSpec::zone));
    long zones = zoneOf.values().stream().distinct().count();
    int replicas = 1 + random.nextInt(cluster.size());
    Placement placement =
        Placement.compute(
            cluster, PartitionScheme.of(1 + random.nextInt(512)), replicas, 1 + random.nextInt(32));
    for (List<String> set : placement.replicaSets()) {
      assertEquals(replicas, set.size());
      assertEquals(replicas, new HashSet<>(set).size(), () -> "repeats a node: " + set);
      long spanned = set.stream().map(zoneOf::get).distinct().count();
      assertEquals(Math.min(replicas, zones), spanned, () -> "zones of " + set);
    }
  }

  // An independent, deliberately naive statement of the rule, checked against the real thing.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void replicas_matchANaiveWalkOfTheRing(long seed) {
    Random random = new Random(seed);
    List<NodeSpec> cluster = Clusters.anyShape(random);
    int replicas = 1 + random.nextInt(cluster.size());
    int vnodes = 1 + random.nextInt(16);
    PartitionScheme scheme = PartitionScheme.of(1 + random.nextInt(128));
    Placement placement = Placement.compute(cluster, scheme, replicas, vnodes);
    List<Token> ring = naiveRing(cluster, vnodes);
    for (int p = 0; p < scheme.partitionCount(); p++) {
      assertEquals(
          naiveReplicas(ring, cluster, scheme.range(p).startInclusive(), replicas),
          placement.replicas(p),
          "partition " + p);
    }
  }

  // A join changes a replica set only by letting the new node in, in place of exactly one old
  // member; every other set is unchanged, order (leader preference) included. Seen backwards, a
  // leaving node changes only the sets it held. Holds for any weights, zones and N.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void movement_aJoiningNodeReplacesOneMemberOfTheSetsItEntersAndNothingElse(long seed) {
    Random random = new Random(seed);
    List<NodeSpec> cluster = Clusters.anyShape(random);
    List<String> ids = Clusters.randomIds(random, cluster.size() + 1);
    String newId =
        ids.stream()
            .filter(id -> cluster.stream().noneMatch(n -> n.id().equals(id)))
            .findFirst()
            .orElseThrow();
    // Its zone is an existing one or a new one.
    String zone = random.nextBoolean() ? cluster.get(0).zone() : "zone-new";
    int replicas = 1 + random.nextInt(cluster.size());
    int vnodes = 1 + random.nextInt(64);
    PartitionScheme scheme = PartitionScheme.of(1 + random.nextInt(512));
    Placement before = Placement.compute(cluster, scheme, replicas, vnodes);
    List<NodeSpec> grown = new ArrayList<>(cluster);
    grown.add(new NodeSpec(newId, zone, 1 + random.nextInt(3)));
    Placement after = Placement.compute(grown, scheme, replicas, vnodes);
    for (int p = 0; p < scheme.partitionCount(); p++) {
      List<String> old = before.replicas(p);
      List<String> now = after.replicas(p);
      if (now.contains(newId)) {
        Set<String> kept = new HashSet<>(now);
        kept.retainAll(old);
        assertEquals(replicas - 1, kept.size(), () -> old + " -> " + now);
      } else {
        assertEquals(old, now, "partition " + p);
      }
    }
  }

  @Test
  void zones_aLoneNodeInAZoneHoldsEveryPartitionWhenZonesDoNotExceedReplicas() {
    List<NodeSpec> cluster = nodes("a", "big", "b", "big", "c", "big", "d", "big", "lone", "small");
    Placement placement = Placement.compute(cluster, PartitionScheme.of(256));
    assertEquals(256, placement.replicaCountsByNode().get("lone"));
  }

  @Test
  void replicas_everyNodeHoldsEveryPartitionWhenReplicasEqualNodes() {
    Placement placement =
        Placement.compute(nodes("a", "z", "b", "z", "c", "z"), PartitionScheme.of(64));
    assertEquals(Map.of("a", 64, "b", 64, "c", 64), placement.replicaCountsByNode());
  }

  @Test
  void replicas_rejectsPartitionsOutsideTheScheme() {
    Placement placement =
        Placement.compute(nodes("a", "z", "b", "z", "c", "z"), PartitionScheme.of(4));
    assertThrows(IndexOutOfBoundsException.class, () -> placement.replicas(4));
  }

  private record Token(long value, String node, int number) {}

  private static List<Token> naiveRing(List<NodeSpec> cluster, int vnodes) {
    List<Token> ring = new ArrayList<>();
    for (NodeSpec node : cluster) {
      for (int i = 0; i < node.weight() * vnodes; i++) {
        byte[] name = (node.id() + "#" + i).getBytes(StandardCharsets.UTF_8);
        ring.add(new Token(KeyHasher.xxh64(name), node.id(), i));
      }
    }
    ring.sort(
        Comparator.comparing(Token::value, Long::compareUnsigned)
            .thenComparing(Token::node)
            .thenComparingInt(Token::number));
    return ring;
  }

  private static List<String> naiveReplicas(
      List<Token> ring, List<NodeSpec> cluster, long point, int replicas) {
    List<Token> walk = new ArrayList<>();
    for (Token t : ring) {
      if (Long.compareUnsigned(t.value(), point) >= 0) {
        walk.add(t);
      }
    }
    for (Token t : ring) {
      if (Long.compareUnsigned(t.value(), point) < 0) {
        walk.add(t);
      }
    }
    Set<String> allZones = cluster.stream().map(NodeSpec::zone).collect(Collectors.toSet());
    Map<String, String> zoneOf =
        cluster.stream().collect(Collectors.toMap(NodeSpec::id, NodeSpec::zone));
    LinkedHashSet<String> chosen = new LinkedHashSet<>();
    Set<String> usedZones = new HashSet<>();
    for (Token t : walk) {
      if (chosen.size() == replicas || usedZones.equals(allZones)) {
        break;
      }
      if (!usedZones.contains(zoneOf.get(t.node()))) {
        chosen.add(t.node());
        usedZones.add(zoneOf.get(t.node()));
      }
    }
    for (Token t : walk) {
      if (chosen.size() == replicas) {
        break;
      }
      chosen.add(t.node());
    }
    return List.copyOf(chosen);
  }
}

package io.kvstore.core.cluster;

import static io.kvstore.core.cluster.Maps.node;
import static io.kvstore.core.cluster.Maps.nodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetaVotersTest {
  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  /** Applies voter changes until none is left; returns the changes, checking each is single. */
  private static List<MetaVoters.Change> converge(ClusterMap[] map) {
    List<MetaVoters.Change> changes = new ArrayList<>();
    while (true) {
      Optional<MetaVoters.Change> next = MetaVoters.nextChange(map[0]);
      if (next.isEmpty()) {
        return changes;
      }
      MetaVoters.Change c = next.get();
      Set<String> before = new HashSet<>(map[0].metaVoters());
      Set<String> after = new HashSet<>(c.votersAfter());
      assertEquals(c.votersAfter().size(), after.size(), "distinct voters");
      c.add().ifPresent(a -> assertEquals(before.size() + 1, after.size()));
      c.add().ifPresent(a -> assertTrue(after.containsAll(before) && after.contains(a)));
      c.remove().ifPresent(r -> assertEquals(before.size() - 1, after.size()));
      c.remove().ifPresent(r -> assertTrue(before.containsAll(after) && !after.contains(r)));
      map[0] = map[0].withMetaVoters(c.votersAfter());
      changes.add(c);
      if (changes.size() > 20) {
        fail("no convergence: " + changes);
      }
    }
  }

  private static Set<String> zones(ClusterMap map, List<String> voters) {
    return voters.stream().map(v -> map.node(v).orElseThrow().zone()).collect(Collectors.toSet());
  }

  @Test
  void aBootstrappedMapOverDistinctZonesKeepsItsVoters() {
    assertEquals(Optional.empty(), MetaVoters.nextChange(ClusterMap.bootstrap(nodes(3), 8, 3)));
    assertEquals(Optional.empty(), MetaVoters.nextChange(ClusterMap.bootstrap(nodes(4), 8, 3)));
    assertEquals(Optional.empty(), MetaVoters.nextChange(ClusterMap.bootstrap(nodes(7), 8, 3)));
  }

  @Test
  void theFifthActiveNodeGrowsTheGroupToFiveOneVoterAtATime() {
    ClusterMap[] map = {ClusterMap.bootstrap(nodes(4), 8, 3).withNodeAdded(node("n5", 5, "z5", 1))};
    List<MetaVoters.Change> changes = converge(map);
    assertEquals(2, changes.size(), changes.toString());
    assertTrue(changes.stream().allMatch(c -> c.add().isPresent()));
    assertEquals(Set.of("n1", "n2", "n3", "n4", "n5"), Set.copyOf(map[0].metaVoters()));
  }

  @Test
  void aDrainingVoterIsReplacedAddFirst() {
    ClusterMap[] map = {ClusterMap.bootstrap(nodes(4), 8, 3).withDecommissioning("n2")};
    List<MetaVoters.Change> changes = converge(map);
    assertEquals(2, changes.size(), changes.toString());
    assertEquals(Optional.of("n4"), changes.get(0).add());
    assertEquals(Optional.of("n2"), changes.get(1).remove());
    assertEquals(Set.of("n1", "n3", "n4"), Set.copyOf(map[0].metaVoters()));
  }

  @Test
  void votersSpreadOverZonesWithMinimalChange() {
    // Bootstrap took the first three nodes, all in zone a; zones b and c have nodes too.
    List<NodeEntry> cluster =
        List.of(
            node("a1", 1, "a", 1),
            node("a2", 2, "a", 1),
            node("a3", 3, "a", 1),
            node("b1", 4, "b", 1),
            node("c1", 5, "c", 1));
    ClusterMap start =
        ClusterMap.bootstrap(cluster.subList(0, 4), 8, 3).withNodeAdded(cluster.get(4));
    // 5 ACTIVE nodes: five voters, which here means every node.
    ClusterMap[] five = {start};
    assertEquals(2, converge(five).size());
    // With 4 ACTIVE nodes (a3 drained): three voters over three zones, keeping a1.
    ClusterMap[] four = {start.withDecommissioning("a3")};
    List<MetaVoters.Change> changes = converge(four);
    assertEquals(Set.of("a1", "b1", "c1"), Set.copyOf(four[0].metaVoters()));
    assertEquals(4, changes.size(), "two voters replaced, add then remove each: " + changes);
    assertTrue(changes.get(0).add().isPresent() && changes.get(1).remove().isPresent());
  }

  @Test
  void tooFewActiveNodesKeepsADrainingVoter() {
    ClusterMap map =
        ClusterMap.bootstrap(nodes(4), 8, 3).withDecommissioning("n1").withNodeRemoved("n4", true);
    assertEquals(Optional.empty(), MetaVoters.nextChange(map));
    assertEquals(Set.of("n1", "n2", "n3"), Set.copyOf(MetaVoters.target(map)));
  }

  /**
   * Random clusters and changes: the voters end as many as the rule says, over as many zones as
   * possible, and the number of single changes is the minimum, twice the voters replaced plus the
   * change in size.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomChangesConvergeMinimally(long seed) {
    Random random = new Random(seed);
    int count = 3 + random.nextInt(6);
    List<NodeEntry> cluster = new ArrayList<>();
    int zoneCount = 1 + random.nextInt(4);
    for (int i = 1; i <= count; i++) {
      cluster.add(node("n" + i, i, "z" + random.nextInt(zoneCount), 1));
    }
    ClusterMap map = ClusterMap.bootstrap(cluster, 8, 3);
    ClusterMap[] settled = {map};
    converge(settled);
    map = settled[0];
    for (int i = 0; i < 1 + random.nextInt(2); i++) {
      map = map.withNodeAdded(node("m" + i, 100 + i, "z" + random.nextInt(zoneCount + 1), 1));
    }
    List<NodeEntry> active = map.nodes().stream().filter(NodeEntry::isActive).toList();
    if (random.nextBoolean() && active.size() > 3) {
      map = map.withDecommissioning(active.get(random.nextInt(active.size())).id());
    }
    Set<String> before = Set.copyOf(map.metaVoters());
    List<String> target = MetaVoters.target(map);
    ClusterMap[] m = {map};
    List<MetaVoters.Change> changes = converge(m);
    Set<String> after = Set.copyOf(m[0].metaVoters());
    assertEquals(Set.copyOf(target), after, "reaches the target computed at the start");
    long activeNodes = m[0].nodes().stream().filter(NodeEntry::isActive).count();
    assertEquals(activeNodes >= 5 ? 5 : 3, after.size());
    Set<String> activeZones =
        m[0].nodes().stream()
            .filter(NodeEntry::isActive)
            .map(NodeEntry::zone)
            .collect(Collectors.toSet());
    assertEquals(Math.min(after.size(), activeZones.size()), zones(m[0], target).size());
    Set<String> added = new HashSet<>(after);
    added.removeAll(before);
    Set<String> removed = new HashSet<>(before);
    removed.removeAll(after);
    assertEquals(added.size() + removed.size(), changes.size(), changes.toString());
  }
}

package io.kvstore.core.cluster;

import io.kvstore.core.ring.NodeSpec;
import io.kvstore.core.ring.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where every partition's replicas should be for a given map: the ring ({@link Placement}, zones
 * and weights) over the map's ACTIVE nodes, with preferred leaders spread the way {@link
 * ClusterMap#bootstrap} spreads them.
 *
 * <p>Members: the ring's replica set over the ACTIVE nodes (DECOMMISSIONING nodes take part in
 * nothing). Because the ring is consistent hashing, a set changes only where the changed node's
 * tokens fall, so the difference with the current map is about the changed weight's share. When
 * fewer ACTIVE nodes than the replication factor N remain, the set holds every ACTIVE node and is
 * filled up to N with the partition's current non-ACTIVE members, in their current order: keeping a
 * replica on a node being drained is better than shrinking below N.
 *
 * <p>Order: leadership is spread by the same greedy as {@link ClusterMap#bootstrap} (partition by
 * partition, the ACTIVE member leading the fewest partitions so far), with one difference: among
 * members tied for fewest, the partition's current preferred leader wins, then ring order. That
 * keeps leaders where they are whenever balance allows, never moves a replica for leadership, and
 * makes the target a fixed point: the target of a map that already matches its target is that map,
 * so a finished plan stays finished. The other members follow in ring order.
 *
 * <p>Pure and deterministic: it depends only on the map. Computing it builds the token ring, so
 * compute it once per map ({@link #of}) rather than per partition.
 */
public final class TargetPlacement {
  private final List<PartitionEntry> entries;

  private TargetPlacement(List<PartitionEntry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The target placement of {@code map}. */
  public static TargetPlacement of(ClusterMap map) {
    Objects.requireNonNull(map, "map");
    List<NodeEntry> active = map.nodes().stream().filter(NodeEntry::isActive).toList();
    int n = map.replicationFactor();
    List<List<String>> sets = new ArrayList<>();
    if (active.isEmpty()) {
      for (PartitionEntry e : map.partitions()) {
        sets.add(e.replicas());
      }
    } else {
      List<NodeSpec> specs = new ArrayList<>();
      for (NodeEntry node : active) {
        specs.add(new NodeSpec(node.id(), node.zone(), node.weight()));
      }
      Placement ring =
          Placement.compute(
              specs, map.scheme(), Math.min(n, active.size()), Placement.DEFAULT_VNODES_PER_WEIGHT);
      Set<String> activeIds = active.stream().map(NodeEntry::id).collect(Collectors.toSet());
      for (int p = 0; p < map.partitionCount(); p++) {
        List<String> set = new ArrayList<>(ring.replicas(p));
        for (String r : map.partition(p).replicas()) {
          if (set.size() < n && !activeIds.contains(r)) {
            set.add(r);
          }
        }
        sets.add(set);
      }
    }
    return new TargetPlacement(orderLeaders(map, sets));
  }

  /**
   * Puts first, in each set, the ACTIVE member leading the fewest partitions so far; ties go to the
   * current preferred leader, then to ring order. The others keep their order.
   */
  private static List<PartitionEntry> orderLeaders(ClusterMap map, List<List<String>> sets) {
    Map<String, Integer> leads = new HashMap<>();
    List<PartitionEntry> out = new ArrayList<>();
    for (int p = 0; p < sets.size(); p++) {
      List<String> set = sets.get(p);
      String current = map.partition(p).preferredLeader();
      String best = null;
      for (String r : set) {
        if (!isActive(map, r)) {
          continue;
        }
        if (best == null) {
          best = r;
          continue;
        }
        int c = Integer.compare(leads.getOrDefault(r, 0), leads.getOrDefault(best, 0));
        if (c < 0 || (c == 0 && r.equals(current))) {
          best = r;
        }
      }
      if (best == null) {
        best = set.contains(current) ? current : set.get(0);
      }
      leads.merge(best, 1, Integer::sum);
      List<String> ordered = new ArrayList<>();
      ordered.add(best);
      for (String r : set) {
        if (!r.equals(best)) {
          ordered.add(r);
        }
      }
      out.add(new PartitionEntry(p, ordered));
    }
    return out;
  }

  private static boolean isActive(ClusterMap map, String id) {
    return map.node(id).map(NodeEntry::isActive).orElse(false);
  }

  /** The target replica set of {@code partition}, preferred leader first. */
  public List<String> replicas(int partition) {
    Objects.checkIndex(partition, entries.size());
    return entries.get(partition).replicas();
  }

  /** Every partition's target, in partition order. */
  public List<PartitionEntry> partitions() {
    return entries;
  }
}

package io.kvstore.core.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Test maps: nodes on 127.0.0.x, and the bookkeeping of applying a plan's moves. */
final class Maps {
  private Maps() {}

  /** ACTIVE node {@code id} on 127.0.0.{@code host}. */
  static NodeEntry node(String id, int host, String zone, int weight) {
    return new NodeEntry(
        id,
        "127.0.0." + host + ":9860",
        "127.0.0." + host + ":9870",
        zone,
        weight,
        NodeEntry.State.ACTIVE);
  }

  /** Nodes n1..nk, weight 1, each in its own zone z1..zk. */
  static List<NodeEntry> nodes(int count) {
    List<NodeEntry> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add(node("n" + i, i, "z" + i, 1));
    }
    return out;
  }

  /** Nodes with random ids (so cases do not share token layouts), each in its own zone. */
  static List<NodeEntry> randomNodes(Random random, int count, int firstHost) {
    List<NodeEntry> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    while (out.size() < count) {
      String id = "node-" + Long.toHexString(random.nextLong());
      if (ids.add(id)) {
        int host = firstHost + out.size();
        out.add(node(id, host, "zone-" + id, 1));
      }
    }
    return out;
  }

  /** {@code map} with {@code move} recorded (refused unless it starts from the map's set). */
  static ClusterMap apply(ClusterMap map, Move move) {
    return map.withMove(move);
  }

  /** {@code map} with every move and leader change of {@code plan} recorded, in plan order. */
  static ClusterMap applyAll(ClusterMap map, MovePlan plan) {
    for (Move m : plan.moves()) {
      map = apply(map, m);
    }
    for (PartitionEntry e : plan.leaderChanges()) {
      map = map.withReplicas(e.id(), e.replicas());
    }
    return map;
  }

  /** Replica sets as sets, by partition (order ignored). */
  static List<Set<String>> memberSets(List<PartitionEntry> entries) {
    List<Set<String>> out = new ArrayList<>();
    for (PartitionEntry e : entries) {
      out.add(new HashSet<>(e.replicas()));
    }
    return out;
  }
}

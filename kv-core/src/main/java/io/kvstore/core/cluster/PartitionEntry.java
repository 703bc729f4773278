package io.kvstore.core.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * A partition of the cluster map and the nodes holding its replicas. The first replica is the
 * preferred leader; leadership is steered there so that leaders spread over the nodes.
 */
public record PartitionEntry(int id, List<String> replicas) {
  public PartitionEntry {
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("partition " + id + " has no replicas");
    }
  }

  public String preferredLeader() {
    return replicas.get(0);
  }

  /** Partition {@code id} holding {@code set}, reordered so that {@code leader} comes first. */
  public static PartitionEntry leaderFirst(int id, List<String> set, String leader) {
    List<String> ordered = new ArrayList<>(set.size());
    ordered.add(leader);
    for (String r : set) {
      if (!r.equals(leader)) {
        ordered.add(r);
      }
    }
    return new PartitionEntry(id, ordered);
  }
}

package io.kvstore.core.cluster;

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
}

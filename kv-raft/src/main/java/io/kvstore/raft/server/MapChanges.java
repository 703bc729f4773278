package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The map changes the mover and a joining node need: kv-core's transitions (epoch + 1), made
 * idempotent: each returns its argument unchanged when there is nothing to do, which {@link
 * MapStore#update} takes as "no write", so a retried step writes nothing.
 */
final class MapChanges {
  private MapChanges() {}

  /**
   * Adds {@code node} ({@link ClusterMap#withNodeAdded}); unchanged if a node of that id with the
   * same endpoints is already there, as after a join that was retried.
   *
   * @throws IllegalArgumentException if the id is taken by a node with other endpoints, or another
   *     node uses one of its endpoints
   */
  static ClusterMap withNode(ClusterMap map, NodeEntry node) {
    NodeEntry n = map.node(node.id()).orElse(null);
    if (n == null) {
      return map.withNodeAdded(node);
    }
    if (n.raftEndpoint().equals(node.raftEndpoint())
        && n.clientEndpoint().equals(node.clientEndpoint())) {
      return map;
    }
    throw new IllegalArgumentException(
        "node id "
            + node.id()
            + " is already in the cluster map with endpoints raft "
            + n.raftEndpoint()
            + ", client "
            + n.clientEndpoint());
  }

  /**
   * Partition {@code p} with {@code replicas} (first = preferred leader; {@link
   * ClusterMap#withReplicas}); unchanged if equal.
   */
  static ClusterMap withReplicas(ClusterMap map, int p, List<String> replicas) {
    return map.partition(p).replicas().equals(replicas) ? map : map.withReplicas(p, replicas);
  }

  /**
   * The replica list after moving {@code from} to {@code to}: {@code to} takes {@code from}'s place
   * (so it inherits the preferred-leader slot), or is appended when {@code from} is null.
   * Idempotent: a list that already has {@code to} and not {@code from} is returned as is.
   */
  static List<String> moved(List<String> replicas, String from, String to) {
    List<String> out = new ArrayList<>(replicas);
    int i = from == null ? -1 : out.indexOf(from);
    if (out.contains(to)) {
      if (i >= 0) {
        out.remove(i);
      }
      return out;
    }
    if (i >= 0) {
      out.set(i, to);
    } else {
      out.add(to);
    }
    return out;
  }
}

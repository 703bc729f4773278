package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.cluster.PartitionEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The map transitions the mover and a joining node need, each building the next map (epoch + 1)
 * through {@link ClusterMap}'s public constructor. Stand-ins until kv-core's cluster package has
 * its own transitions; each returns its argument unchanged when there is nothing to do, which
 * {@link MapStore#update} takes as "no write".
 */
final class MapChanges {
  private MapChanges() {}

  /**
   * Adds {@code node}; unchanged if a node of that id with the same endpoints is already there.
   *
   * @throws IllegalArgumentException if the id is taken by a node with other endpoints, or another
   *     node uses one of its endpoints
   */
  static ClusterMap withNode(ClusterMap map, NodeEntry node) {
    for (NodeEntry n : map.nodes()) {
      boolean sameId = n.id().equals(node.id());
      boolean sameEndpoints =
          n.raftEndpoint().equals(node.raftEndpoint())
              && n.clientEndpoint().equals(node.clientEndpoint());
      if (sameId && sameEndpoints) {
        return map;
      }
      if (sameId) {
        throw new IllegalArgumentException(
            "node id "
                + node.id()
                + " is already in the cluster map with endpoints raft "
                + n.raftEndpoint()
                + ", client "
                + n.clientEndpoint());
      }
      if (n.raftEndpoint().equals(node.raftEndpoint())
          || n.clientEndpoint().equals(node.clientEndpoint())
          || n.raftEndpoint().equals(node.clientEndpoint())
          || n.clientEndpoint().equals(node.raftEndpoint())) {
        throw new IllegalArgumentException(
            "node " + n.id() + " of the cluster map already uses an endpoint of " + node.id());
      }
    }
    List<NodeEntry> nodes = new ArrayList<>(map.nodes());
    nodes.add(node);
    return new ClusterMap(
        map.epoch() + 1,
        map.partitionCount(),
        map.replicationFactor(),
        nodes,
        map.partitions(),
        map.metaVoters());
  }

  /** Partition {@code p} with {@code replicas} (first = preferred leader); unchanged if equal. */
  static ClusterMap withReplicas(ClusterMap map, int p, List<String> replicas) {
    if (map.partition(p).replicas().equals(replicas)) {
      return map;
    }
    List<PartitionEntry> parts = new ArrayList<>(map.partitions());
    parts.set(p, new PartitionEntry(p, replicas));
    return new ClusterMap(
        map.epoch() + 1,
        map.partitionCount(),
        map.replicationFactor(),
        map.nodes(),
        parts,
        map.metaVoters());
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

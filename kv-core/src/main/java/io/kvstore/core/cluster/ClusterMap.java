package io.kvstore.core.cluster;

import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.NodeSpec;
import io.kvstore.core.ring.PartitionScheme;
import io.kvstore.core.ring.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster map: nodes, partitions (equal hash ranges of the ring, each with a replica set) and
 * the meta group's voters, under an epoch. Immutable; a change makes a new map with a higher epoch.
 */
public record ClusterMap(
    long epoch,
    int partitionCount,
    int replicationFactor,
    List<NodeEntry> nodes,
    List<PartitionEntry> partitions,
    List<String> metaVoters) {

  public ClusterMap {
    nodes = List.copyOf(nodes);
    partitions = List.copyOf(partitions);
    metaVoters = List.copyOf(metaVoters);
    PartitionScheme.of(partitionCount);
    if (partitions.size() != partitionCount) {
      throw new IllegalArgumentException(
          partitions.size() + " partition entries for " + partitionCount + " partitions");
    }
    Set<String> ids = new HashSet<>();
    for (NodeEntry n : nodes) {
      if (!ids.add(n.id())) {
        throw new IllegalArgumentException("duplicate node id: " + n.id());
      }
    }
    for (int p = 0; p < partitions.size(); p++) {
      PartitionEntry e = partitions.get(p);
      if (e.id() != p) {
        throw new IllegalArgumentException("partition entry " + p + " has id " + e.id());
      }
      for (String r : e.replicas()) {
        if (!ids.contains(r)) {
          throw new IllegalArgumentException("partition " + p + " names unknown node " + r);
        }
      }
    }
    for (String v : metaVoters) {
      if (!ids.contains(v)) {
        throw new IllegalArgumentException("meta voter " + v + " is not a node");
      }
    }
  }

  /**
   * The first map of a new cluster: replicas placed by the ring ({@link Placement}), preferred
   * leaders balanced over the nodes, meta voters the first 5 nodes (3 when fewer than 5 nodes).
   * Deterministic: every node computes the same map from the same configuration.
   */
  public static ClusterMap bootstrap(List<NodeEntry> nodes, int partitions, int replicas) {
    if (nodes.size() < replicas) {
      throw new IllegalArgumentException(
          replicas
              + " replicas need at least "
              + replicas
              + " nodes; "
              + nodes.size()
              + " configured");
    }
    List<NodeSpec> specs = new ArrayList<>();
    for (NodeEntry n : nodes) {
      specs.add(new NodeSpec(n.id(), n.zone(), n.weight()));
    }
    Placement placement =
        Placement.compute(
            specs, PartitionScheme.of(partitions), replicas, Placement.DEFAULT_VNODES_PER_WEIGHT);
    List<PartitionEntry> entries = balanceLeaders(placement.replicaSets());
    int voters = nodes.size() >= 5 ? 5 : Math.min(3, nodes.size());
    List<String> meta = nodes.subList(0, voters).stream().map(NodeEntry::id).toList();
    return new ClusterMap(1, partitions, replicas, nodes, entries, meta);
  }

  /**
   * Puts first, in each replica set, the replica that leads the fewest partitions so far (ties:
   * ring order), so preferred leaders spread evenly.
   */
  static List<PartitionEntry> balanceLeaders(List<List<String>> replicaSets) {
    Map<String, Integer> leads = new HashMap<>();
    List<PartitionEntry> out = new ArrayList<>();
    for (int p = 0; p < replicaSets.size(); p++) {
      List<String> set = replicaSets.get(p);
      String best = set.get(0);
      for (String r : set) {
        if (leads.getOrDefault(r, 0) < leads.getOrDefault(best, 0)) {
          best = r;
        }
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

  public PartitionScheme scheme() {
    return PartitionScheme.of(partitionCount);
  }

  /** The partition a key belongs to (hash tags respected). */
  public int partitionOf(byte[] key) {
    return scheme().partitionOf(KeyHasher.hashKey(key));
  }

  public PartitionEntry partition(int p) {
    return partitions.get(p);
  }

  public Optional<NodeEntry> node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  /** The partitions with a replica on {@code nodeId}, in partition order. */
  public List<Integer> partitionsOf(String nodeId) {
    List<Integer> out = new ArrayList<>();
    for (PartitionEntry e : partitions) {
      if (e.replicas().contains(nodeId)) {
        out.add(e.id());
      }
    }
    return out;
  }

  public boolean isMetaVoter(String nodeId) {
    return metaVoters.contains(nodeId);
  }
}

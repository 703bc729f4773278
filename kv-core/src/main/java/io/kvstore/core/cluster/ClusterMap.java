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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster map: nodes, partitions (equal hash ranges of the ring, each with a replica set) and
 * the meta group's voters, under an epoch. Immutable; a change makes a new map with a higher epoch.
 *
 * <p>The {@code with...} transitions each return a new map with epoch + 1 and refuse bad input with
 * a one-line {@link IllegalArgumentException}. They only record a decision; {@link
 * TargetPlacement}, {@link MovePlan} and {@link MetaVoters} compute what should change, and the
 * controller applies each step to Raft before it records it here.
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
      out.add(PartitionEntry.leaderFirst(p, set, best));
    }
    return out;
  }

  /**
   * This map with {@code node} added, ACTIVE and holding no replicas yet (the move planner gives it
   * its share). Meta voters are unchanged ({@link MetaVoters} decides those).
   *
   * @throws IllegalArgumentException if the node is not ACTIVE, or its id or one of its endpoints
   *     is already used by a node of the map
   */
  public ClusterMap withNodeAdded(NodeEntry node) {
    Objects.requireNonNull(node, "node");
    if (node.id().isBlank() || node.zone().isBlank()) {
      throw new IllegalArgumentException("a new node needs a non-blank id and zone");
    }
    if (!node.isActive()) {
      throw new IllegalArgumentException(
          "node " + node.id() + ": a new node must be ACTIVE, not " + node.state());
    }
    if (node.raftEndpoint().equals(node.clientEndpoint())) {
      throw new IllegalArgumentException(
          "node " + node.id() + ": raft and client endpoint are both " + node.raftEndpoint());
    }
    for (NodeEntry n : nodes) {
      if (n.id().equals(node.id())) {
        throw new IllegalArgumentException("node " + node.id() + " is already in the map");
      }
      for (String endpoint : List.of(node.raftEndpoint(), node.clientEndpoint())) {
        if (endpoint.equals(n.raftEndpoint()) || endpoint.equals(n.clientEndpoint())) {
          throw new IllegalArgumentException(
              "node " + node.id() + ": endpoint " + endpoint + " is already used by " + n.id());
        }
      }
    }
    List<NodeEntry> next = new ArrayList<>(nodes);
    next.add(node);
    return new ClusterMap(
        epoch + 1, partitionCount, replicationFactor, next, partitions, metaVoters);
  }

  /**
   * This map with node {@code id} DECOMMISSIONING: it keeps serving its replicas, but placement
   * gives it none, so the move planner drains it.
   *
   * @throws IllegalArgumentException if there is no such node, it is not ACTIVE, or fewer ACTIVE
   *     nodes than the replication factor would remain (the drain could never finish)
   */
  public ClusterMap withDecommissioning(String id) {
    NodeEntry node = existing(id);
    if (!node.isActive()) {
      throw new IllegalArgumentException("node " + id + " is already " + node.state());
    }
    long active = nodes.stream().filter(NodeEntry::isActive).count();
    if (active - 1 < replicationFactor) {
      throw new IllegalArgumentException(
          "decommissioning "
              + id
              + " would leave "
              + (active - 1)
              + " active nodes for "
              + replicationFactor
              + " replicas; add a node first");
    }
    return withNode(node.withState(NodeEntry.State.DECOMMISSIONING));
  }

  /**
   * This map with a DECOMMISSIONING node {@code id} ACTIVE again (a decommission called off); the
   * move planner then brings back its share.
   *
   * @throws IllegalArgumentException if there is no such node or it is already ACTIVE
   */
  public ClusterMap withActive(String id) {
    NodeEntry node = existing(id);
    if (node.isActive()) {
      throw new IllegalArgumentException("node " + id + " is already ACTIVE");
    }
    return withNode(node.withState(NodeEntry.State.ACTIVE));
  }

  /**
   * This map without node {@code id}. Without {@code force} the node must hold no replica and must
   * not be a meta voter (drain it and move the voter first). With {@code force} (a node that is
   * gone for good) it is also taken out of every replica set and the voter list; the sets it leaves
   * short are filled again by add-only moves of the planner.
   *
   * @throws IllegalArgumentException if there is no such node; without force, if it still holds a
   *     replica or is a meta voter; with force, if a partition or the meta group would be left with
   *     no member
   */
  public ClusterMap withNodeRemoved(String id, boolean force) {
    existing(id);
    List<Integer> held = partitionsOf(id);
    if (!force && !held.isEmpty()) {
      throw new IllegalArgumentException(
          "node "
              + id
              + " still holds replicas of "
              + held.size()
              + " partitions (first: "
              + held.get(0)
              + "); drain it first or force");
    }
    if (!force && metaVoters.contains(id)) {
      throw new IllegalArgumentException(
          "node " + id + " is a meta voter; move the voter first or force");
    }
    List<PartitionEntry> entries = new ArrayList<>(partitions);
    for (int p : held) {
      List<String> rest = new ArrayList<>(partitions.get(p).replicas());
      rest.remove(id);
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(
            "removing " + id + " would leave partition " + p + " with no replica");
      }
      entries.set(p, new PartitionEntry(p, rest));
    }
    List<String> voters = new ArrayList<>(metaVoters);
    voters.remove(id);
    if (voters.isEmpty()) {
      throw new IllegalArgumentException(
          "removing " + id + " would leave the meta group with no voter");
    }
    List<NodeEntry> next = new ArrayList<>(nodes);
    next.removeIf(n -> n.id().equals(id));
    return new ClusterMap(epoch + 1, partitionCount, replicationFactor, next, entries, voters);
  }

  /**
   * This map with node {@code id} at weight {@code weight} (its placement share changes; the move
   * planner moves the difference).
   *
   * @throws IllegalArgumentException if there is no such node or {@code weight < 1}
   */
  public ClusterMap withWeight(String id, int weight) {
    NodeEntry node = existing(id);
    if (weight < 1) {
      throw new IllegalArgumentException(
          "weight of node " + id + " must be at least 1; got " + weight);
    }
    return withNode(node.withWeight(weight));
  }

  /**
   * This map with partition {@code partition}'s replica set replaced by {@code replicas} (first =
   * preferred leader). The controller calls it after each completed {@link Move} with {@link
   * Move#replicasAfter()}. Up to N + 1 replicas are accepted, the size of a set in the middle of a
   * move.
   *
   * @throws IllegalArgumentException if the partition does not exist, or the list is empty, longer
   *     than N + 1, repeats a node or names a node not in the map
   */
  public ClusterMap withReplicas(int partition, List<String> replicas) {
    if (partition < 0 || partition >= partitionCount) {
      throw new IllegalArgumentException(
          "no partition " + partition + "; the map has " + partitionCount);
    }
    checkMembers("partition " + partition + " replicas", replicas, replicationFactor + 1);
    List<PartitionEntry> entries = new ArrayList<>(partitions);
    entries.set(partition, new PartitionEntry(partition, replicas));
    return new ClusterMap(epoch + 1, partitionCount, replicationFactor, nodes, entries, metaVoters);
  }

  /**
   * This map with a completed {@code move} recorded: {@link #withReplicas} with {@link
   * Move#replicasAfter()}, but only if the partition still holds {@link Move#replicasBefore()}, so
   * a move planned from an older map cannot overwrite a newer set.
   *
   * @throws IllegalArgumentException if the partition's set is not the one the move started from
   */
  public ClusterMap withMove(Move move) {
    Objects.requireNonNull(move, "move");
    if (move.partition() >= partitionCount) {
      throw new IllegalArgumentException(
          "no partition " + move.partition() + "; the map has " + partitionCount);
    }
    List<String> current = partition(move.partition()).replicas();
    if (!current.equals(move.replicasBefore())) {
      throw new IllegalArgumentException(
          "move "
              + move
              + " starts from "
              + move.replicasBefore()
              + " but partition "
              + move.partition()
              + " is "
              + current);
    }
    return withReplicas(move.partition(), move.replicasAfter());
  }

  /**
   * This map with the meta group's voters replaced by {@code voters} (after the controller changed
   * the meta group's Raft configuration; see {@link MetaVoters#nextChange}).
   *
   * @throws IllegalArgumentException if the list is empty, repeats a node, names a node not in the
   *     map, or adds a voter that is not ACTIVE
   */
  public ClusterMap withMetaVoters(List<String> voters) {
    checkMembers("meta voters", voters, Integer.MAX_VALUE);
    for (String v : voters) {
      if (!metaVoters.contains(v) && !existing(v).isActive()) {
        throw new IllegalArgumentException("new meta voter " + v + " is not ACTIVE");
      }
    }
    return new ClusterMap(epoch + 1, partitionCount, replicationFactor, nodes, partitions, voters);
  }

  private NodeEntry existing(String id) {
    Objects.requireNonNull(id, "id");
    return node(id)
        .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in the map"));
  }

  private ClusterMap withNode(NodeEntry changed) {
    List<NodeEntry> next = new ArrayList<>(nodes);
    next.replaceAll(n -> n.id().equals(changed.id()) ? changed : n);
    return new ClusterMap(
        epoch + 1, partitionCount, replicationFactor, next, partitions, metaVoters);
  }

  private void checkMembers(String what, List<String> members, int max) {
    Objects.requireNonNull(members, what);
    if (members.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (members.size() > max) {
      throw new IllegalArgumentException(
          what + ": " + members.size() + " nodes, at most " + max + " allowed");
    }
    Set<String> seen = new HashSet<>();
    for (String m : members) {
      existing(m);
      if (!seen.add(m)) {
        throw new IllegalArgumentException(what + " name " + m + " twice");
      }
    }
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

package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Asks nodes for their status, all at once, and answers the questions the cluster commands share:
 * which node leads a partition, and which groups a node should host according to the map.
 */
final class ClusterProbe {
  /** The key-hash function this client implements (see {@code key_hash} in kv.proto). */
  static final String KEY_HASH = "xxh64-seed0-hashtag";

  private ClusterProbe() {}

  /** A node to ask: its client endpoint, and its id when the cluster map says (else null). */
  record Target(String endpoint, String nodeId) {}

  /** One node's answer, or the error that replaced it. */
  record NodeReport(Target target, ClusterStatusResponse status, String error) {
    boolean reachable() {
      return status != null;
    }

    String endpoint() {
      return target.endpoint();
    }

    /** The id the node gave, else the id the map gives its endpoint, else null. */
    String nodeId() {
      return status != null ? status.getNodeId() : target.nodeId();
    }

    /** The node's groups, the meta group first, then partitions in ascending order. */
    List<GroupStatus> groups() {
      if (status == null) {
        return List.of();
      }
      List<GroupStatus> sorted = new ArrayList<>(status.getGroupsList());
      sorted.sort(GROUP_ORDER);
      return sorted;
    }

    /** How many data partitions this node leads (the meta group not counted). */
    int leads() {
      return (int)
          groups().stream().filter(g -> !g.getMeta() && "LEADER".equals(g.getRole())).count();
    }
  }

  static final Comparator<GroupStatus> GROUP_ORDER =
      Comparator.comparing((GroupStatus g) -> !g.getMeta())
          .thenComparing(GroupStatus::getPartition);

  /** "meta" for the meta group, else the partition number. */
  static String groupName(GroupStatus g) {
    return g.getMeta() ? "meta" : Integer.toString(g.getPartition());
  }

  /** The map's nodes as targets, in map order. */
  static List<Target> targets(ClusterMapResponse map) {
    return map.getNodesList().stream()
        .map(n -> new Target(n.getClientEndpoint(), n.getId()))
        .toList();
  }

  /**
   * Asks every target in parallel, so dead nodes cost one attempt timeout in total rather than one
   * each. Reports come back in the order of {@code targets}.
   */
  static List<NodeReport> ask(KvClient client, List<Target> targets) {
    if (targets.isEmpty()) {
      return List.of();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(targets.size(), 16),
            r -> {
              Thread t = new Thread(r, "kv-cluster-status");
              t.setDaemon(true);
              return t;
            });
    try {
      List<CompletableFuture<NodeReport>> futures = new ArrayList<>();
      for (Target target : targets) {
        futures.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return new NodeReport(target, client.status(target.endpoint()), null);
                  } catch (KvException e) {
                    return new NodeReport(target, null, ErrorHandler.describe(e));
                  }
                },
                pool));
      }
      return futures.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdownNow();
    }
  }

  /** A node's claim to lead a group: the node's id and its view of the group. */
  record Claim(String nodeId, GroupStatus group) {}

  /**
   * The leader of every data partition, by the groups' own roles: the node whose replica says
   * LEADER. Should two claim it (a deposed leader that has not heard of the new term yet), the
   * higher term wins.
   */
  static Map<Integer, Claim> leaders(List<NodeReport> reports) {
    Map<Integer, Claim> leaders = new HashMap<>();
    for (NodeReport r : reports) {
      for (GroupStatus g : r.groups()) {
        if (g.getMeta() || !"LEADER".equals(g.getRole())) {
          continue;
        }
        Claim c = new Claim(r.nodeId(), g);
        leaders.merge(
            g.getPartition(), c, (a, b) -> a.group().getTerm() >= b.group().getTerm() ? a : b);
      }
    }
    return leaders;
  }

  /**
   * The groups the map places on {@code nodeId} that its status does not list (the node reports
   * only groups that are running), as group names: "meta" first, then partition numbers.
   */
  static List<String> missingGroups(ClusterMapResponse map, NodeReport report) {
    if (map == null || !report.reachable()) {
      return List.of();
    }
    String id = report.nodeId();
    List<String> missing = new ArrayList<>();
    boolean hasMeta = report.groups().stream().anyMatch(GroupStatus::getMeta);
    if (map.getMetaVotersList().contains(id) && !hasMeta) {
      missing.add("meta");
    }
    TreeSet<Integer> hosted = new TreeSet<>();
    report.groups().stream().filter(g -> !g.getMeta()).forEach(g -> hosted.add(g.getPartition()));
    for (PartitionInfo p : map.getPartitionsList()) {
      if (p.getReplicasList().contains(id) && !hosted.contains(p.getId())) {
        missing.add(Integer.toString(p.getId()));
      }
    }
    return missing;
  }

  /** The map's entry for {@code nodeId}, if any. */
  static Optional<NodeInfo> node(ClusterMapResponse map, String nodeId) {
    return map.getNodesList().stream().filter(n -> n.getId().equals(nodeId)).findFirst();
  }

  /** Replica ids in map order (preferred leader first), the current leader marked with '*'. */
  static String replicas(List<String> replicas, String leader) {
    List<String> marked = new ArrayList<>();
    for (String r : replicas) {
      marked.add(r.equals(leader) ? r + "*" : r);
    }
    return String.join(",", marked);
  }
}

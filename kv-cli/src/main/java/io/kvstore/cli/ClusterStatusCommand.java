package io.kvstore.cli;

import io.kvstore.cli.ClusterProbe.NodeReport;
import io.kvstore.cli.ClusterProbe.Target;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.DiskStatus;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.NodeInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kv cluster status}: asks every node for its own status. A node hosts the meta group (if it
 * is a meta voter) and one group per partition it holds a replica of, so the default table has one
 * row per node with counts (GROUPS, LEADS) and HEALTHY = every group running with a leader; {@code
 * --partitions} lists every group instead, the meta group as partition "meta".
 *
 * <p>The nodes asked are the --endpoints plus every other node of the cluster map (fetched from a
 * node that answered), so the table covers the whole cluster even when --endpoints names only some
 * of it. An unreachable node still gets a row (HEALTHY false, with the error); the map also tells
 * which groups a node should host, so a group that is not running shows as unhealthy instead of
 * silently missing. Exit 3 if any node is unreachable or any of its groups unhealthy. {@code -o
 * json} always has every group of every node.
 */
@Command(
    name = "status",
    description =
        "Show every node's groups, leaderships, map epoch and health; --partitions for one "
            + "row per Raft group (exit 3 if a node is unreachable or a group unhealthy).")
final class ClusterStatusCommand implements Callable<Integer> {
  private static final List<String> NODE_COLUMNS =
      List.of(
          "NODE", "ADDRESS", "ZONE", "GROUPS", "LEADS", "MAP EPOCH", "HEALTHY", "DISK", "UPTIME");
  private static final List<String> GROUP_COLUMNS =
      List.of(
          "NODE", "ADDRESS", "PARTITION", "ROLE", "TERM", "COMMIT", "APPLIED", "LEADER", "HEALTHY");

  @Spec CommandSpec spec;

  @Option(
      names = {"--partitions", "--all"},
      description = "One row per node per Raft group (the meta group as partition 'meta').")
  boolean perGroup;

  /** A node's report with what the map adds: the groups it should host but does not report. */
  private record Row(NodeReport report, List<String> missing) {
    boolean healthy() {
      return report.reachable()
          && report.status().getGroupsCount() > 0
          && missing.isEmpty()
          && diskWritable(report.status())
          && report.status().getGroupsList().stream().allMatch(GroupStatus::getHealthy);
    }

    /** Why the node is not healthy; empty when it is. */
    String problem() {
      if (!report.reachable()) {
        return report.error();
      }
      if (report.status().getGroupsCount() == 0) {
        return "node hosts no raft group";
      }
      List<String> parts = new ArrayList<>();
      if (!diskWritable(report.status())) {
        DiskStatus d = report.status().getDisk();
        parts.add("data disk " + d.getState() + ": " + d.getReason());
      }
      List<String> unhealthy =
          report.groups().stream()
              .filter(g -> !g.getHealthy())
              .map(ClusterProbe::groupName)
              .toList();
      if (!unhealthy.isEmpty()) {
        parts.add("unhealthy groups: " + String.join(",", unhealthy));
      }
      if (!missing.isEmpty()) {
        parts.add("groups not running: " + String.join(",", missing));
      }
      return String.join("; ", parts);
    }
  }

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    List<Row> rows = new ArrayList<>();
    try (KvClient client = kv.openClient()) {
      List<Target> targets = new ArrayList<>();
      kv.endpointList().forEach(e -> targets.add(new Target(e, null)));
      List<NodeReport> reports = new ArrayList<>(ClusterProbe.ask(client, targets));
      ClusterMapResponse map = mapFrom(kv, reports);
      if (map != null) {
        reports = new ArrayList<>(withMapIds(map, reports));
        reports.addAll(ClusterProbe.ask(client, unasked(map, reports)));
      }
      for (NodeReport r : reports) {
        rows.add(new Row(r, ClusterProbe.missingGroups(map, r)));
      }
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(rows.stream().map(ClusterStatusCommand::json).toList()));
    } else if (perGroup) {
      groupTable(rows).print(out, kv.output());
    } else {
      nodeTable(rows).print(out, kv.output());
    }
    out.flush();

    long bad = rows.stream().filter(r -> !r.healthy()).count();
    if (bad == 0) {
      return ExitCodes.OK;
    }
    spec.commandLine()
        .getErr()
        .println("kv: " + bad + " of " + rows.size() + " nodes unreachable or unhealthy");
    spec.commandLine().getErr().flush();
    return ExitCodes.UNAVAILABLE;
  }

  /**
   * The cluster map from the nodes that answered, or null if none did or the map is unavailable:
   * status is still worth printing for the endpoints given.
   */
  private static ClusterMapResponse mapFrom(Kv kv, List<NodeReport> reports) {
    List<String> live =
        reports.stream().filter(NodeReport::reachable).map(NodeReport::endpoint).toList();
    if (live.isEmpty()) {
      return null;
    }
    try (KvClient client = kv.openClient(live)) {
      return client.clusterMap();
    } catch (KvException e) {
      return null;
    }
  }

  /** Unreachable endpoints that the map knows get the map's node id. */
  private static List<NodeReport> withMapIds(ClusterMapResponse map, List<NodeReport> reports) {
    List<NodeReport> out = new ArrayList<>();
    for (NodeReport r : reports) {
      String id =
          r.reachable()
              ? null
              : map.getNodesList().stream()
                  .filter(n -> n.getClientEndpoint().equals(r.endpoint()))
                  .map(NodeInfo::getId)
                  .findFirst()
                  .orElse(null);
      out.add(id == null ? r : new NodeReport(new Target(r.endpoint(), id), null, r.error()));
    }
    return out;
  }

  /** The map's nodes not asked yet, by id and by endpoint. */
  private static List<Target> unasked(ClusterMapResponse map, List<NodeReport> reports) {
    Set<String> ids = new HashSet<>();
    Set<String> endpoints = new HashSet<>();
    for (NodeReport r : reports) {
      if (r.nodeId() != null) {
        ids.add(r.nodeId());
      }
      endpoints.add(r.endpoint());
    }
    return ClusterProbe.targets(map).stream()
        .filter(t -> !ids.contains(t.nodeId()) && !endpoints.contains(t.endpoint()))
        .toList();
  }

  /** Nodes that do not report their disk (older versions) count as writable. */
  static boolean diskWritable(ClusterStatusResponse s) {
    return !s.hasDisk() || s.getDisk().getWritable();
  }

  /** The DISK column: "ok", or the state with the free space ("LOW_SPACE 12 MB free"). */
  static String diskCell(ClusterStatusResponse s) {
    if (!s.hasDisk()) {
      return "-";
    }
    DiskStatus d = s.getDisk();
    if (d.getWritable()) {
      return "ok";
    }
    return d.getState() + " " + (d.getFreeBytes() >> 20) + " MB free";
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static TextTable nodeTable(List<Row> rows) {
    boolean errors = rows.stream().anyMatch(r -> !r.healthy());
    List<String> headers = new ArrayList<>(NODE_COLUMNS);
    if (errors) {
      headers.add("ERROR");
    }
    TextTable table = new TextTable(headers);
    for (Row row : rows) {
      NodeReport r = row.report();
      List<String> cells = new ArrayList<>();
      cells.add(orDash(r.nodeId()));
      cells.add(r.endpoint());
      if (r.reachable()) {
        cells.add(orDash(r.status().getZone()));
        cells.add(Integer.toString(r.status().getGroupsCount()));
        cells.add(Integer.toString(r.leads()));
        cells.add(Long.toString(r.status().getMapEpoch()));
        cells.add(Boolean.toString(row.healthy()));
        cells.add(diskCell(r.status()));
        cells.add(Units.duration(r.status().getUptimeMs()));
      } else {
        cells.addAll(List.of("-", "-", "-", "-", "false", "-", "-"));
      }
      if (errors) {
        cells.add(row.problem());
      }
      table.add(cells);
    }
    return table;
  }

  private static TextTable groupTable(List<Row> rows) {
    boolean errors = rows.stream().anyMatch(r -> !r.healthy());
    List<String> headers = new ArrayList<>(GROUP_COLUMNS);
    if (errors) {
      headers.add("ERROR");
    }
    TextTable table = new TextTable(headers);
    for (Row row : rows) {
      NodeReport r = row.report();
      String node = orDash(r.nodeId());
      if (!r.reachable() || r.status().getGroupsCount() == 0) {
        List<String> cells =
            new ArrayList<>(List.of(node, r.endpoint(), "-", "-", "-", "-", "-", "-", "false"));
        cells.add(row.problem());
        table.add(cells);
        continue;
      }
      for (GroupStatus g : r.groups()) {
        List<String> cells =
            new ArrayList<>(
                List.of(
                    node,
                    r.endpoint(),
                    ClusterProbe.groupName(g),
                    g.getRole(),
                    Long.toString(g.getTerm()),
                    Long.toString(g.getCommitIndex()),
                    Long.toString(g.getAppliedIndex()),
                    orDash(g.getLeaderId()),
                    Boolean.toString(g.getHealthy())));
        if (errors) {
          cells.add(
              g.getHealthy()
                  ? ""
                  : g.getStorageError().isEmpty()
                      ? "no leader or not running"
                      : g.getStorageError());
        }
        table.add(cells);
      }
      for (String missing : row.missing()) {
        List<String> cells =
            new ArrayList<>(List.of(node, r.endpoint(), missing, "-", "-", "-", "-", "-", "false"));
        cells.add("group not running on this node");
        table.add(cells);
      }
    }
    return table;
  }

  private static Map<String, Object> json(Row row) {
    NodeReport r = row.report();
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("node", r.nodeId());
    node.put("address", r.endpoint());
    node.put("raftAddress", r.reachable() ? r.status().getRaftEndpoint() : null);
    node.put("zone", r.reachable() ? r.status().getZone() : null);
    node.put("mapEpoch", r.reachable() ? r.status().getMapEpoch() : null);
    node.put("uptimeMs", r.reachable() ? r.status().getUptimeMs() : null);
    node.put("healthy", row.healthy());
    node.put("leads", r.reachable() ? r.leads() : null);
    if (r.reachable()) {
      Map<String, Object> cache = new LinkedHashMap<>();
      cache.put("hits", r.status().getCache().getHits());
      cache.put("misses", r.status().getCache().getMisses());
      cache.put("hitRatio", r.status().getCache().getHitRatio());
      cache.put("bytes", r.status().getCache().getBytes());
      cache.put("maxBytes", r.status().getCache().getMaxBytes());
      node.put("cache", cache);
      if (r.status().hasDisk()) {
        DiskStatus d = r.status().getDisk();
        Map<String, Object> disk = new LinkedHashMap<>();
        disk.put("state", d.getState());
        disk.put("writable", d.getWritable());
        disk.put("freeBytes", d.getFreeBytes());
        disk.put("totalBytes", d.getTotalBytes());
        disk.put("minFreeBytes", d.getMinFreeBytes());
        disk.put("reason", d.getReason().isEmpty() ? null : d.getReason());
        disk.put("stateAgeMs", d.getStateAgeMs());
        disk.put("path", d.getPath());
        node.put("disk", disk);
      } else {
        node.put("disk", null);
      }
    } else {
      node.put("cache", null);
      node.put("disk", null);
    }
    List<Map<String, Object>> groups = new ArrayList<>();
    for (GroupStatus g : r.groups()) {
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("partition", g.getMeta() ? null : g.getPartition());
      group.put("meta", g.getMeta());
      group.put("groupId", g.getGroupId());
      group.put("role", g.getRole());
      group.put("term", g.getTerm());
      group.put("commitIndex", g.getCommitIndex());
      group.put("appliedIndex", g.getAppliedIndex());
      group.put("leader", g.getLeaderId().isEmpty() ? null : g.getLeaderId());
      group.put("healthy", g.getHealthy());
      group.put("members", g.getMembersList());
      group.put("keyCount", g.getKeyCount());
      group.put("bytesOnDisk", g.getBytesOnDisk());
      group.put("logBytes", g.getLogBytes());
      group.put("snapshotBytes", g.getSnapshotBytes());
      group.put("snapshotIndex", g.getSnapshotIndex());
      group.put("logStartIndex", g.getLogStartIndex());
      group.put("storageError", g.getStorageError().isEmpty() ? null : g.getStorageError());
      groups.add(group);
    }
    node.put("groups", groups);
    node.put("notRunning", row.missing());
    node.put("error", row.healthy() ? null : row.problem());
    return node;
  }
}

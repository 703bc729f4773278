package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.GroupStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kv cluster status}: asks every endpoint for its own status and prints one row per node per
 * Raft group. An unreachable node still gets a row (HEALTHY=false, with the error), so the table
 * shows the whole cluster even when part of it is down; the exit code is 3 then.
 *
 * <p>PARTITION is shown only when some node hosts more than one group, and ERROR only when a node
 * failed, so the common single-partition, all-healthy table stays narrow. {@code -o json} always
 * has every field.
 */
@Command(
    name = "status",
    description =
        "Show every node's role, term, commit/applied index and "
            + "health (exit 3 if a node is unreachable or unhealthy).")
final class ClusterStatusCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of("NODE", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "LEADER", "HEALTHY");

  @Spec CommandSpec spec;

  /** One node's answer, or the error that replaced it. */
  private record NodeReport(String endpoint, ClusterStatusResponse status, String error) {
    boolean healthy() {
      return status != null
          && status.getGroupsCount() > 0
          && status.getGroupsList().stream().allMatch(GroupStatus::getHealthy);
    }
  }

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    List<NodeReport> reports;
    try (KvClient client = kv.openClient()) {
      reports = query(client, kv.endpointList());
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(jsonRows(reports)));
    } else {
      table(reports).print(out, kv.output());
    }
    out.flush();

    long bad = reports.stream().filter(r -> !r.healthy()).count();
    if (bad == 0) {
      return ExitCodes.OK;
    }
    spec.commandLine()
        .getErr()
        .println("kv: " + bad + " of " + reports.size() + " nodes unreachable or unhealthy");
    spec.commandLine().getErr().flush();
    return ExitCodes.UNAVAILABLE;
  }

  /** Asks all nodes at once, so dead nodes cost one timeout in total rather than one each. */
  private static List<NodeReport> query(KvClient client, List<String> endpoints) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(endpoints.size(), 16),
            r -> {
              Thread t = new Thread(r, "kv-cluster-status");
              t.setDaemon(true);
              return t;
            });
    try {
      List<CompletableFuture<NodeReport>> futures = new ArrayList<>();
      for (String endpoint : endpoints) {
        futures.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return new NodeReport(endpoint, client.status(endpoint), null);
                  } catch (KvException e) {
                    return new NodeReport(endpoint, null, ErrorHandler.describe(e));
                  }
                },
                pool));
      }
      return futures.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdownNow();
    }
  }

  private static TextTable table(List<NodeReport> reports) {
    boolean partitions =
        reports.stream().anyMatch(r -> r.status() != null && r.status().getGroupsCount() > 1);
    boolean errors = reports.stream().anyMatch(r -> !r.healthy() && groupless(r));
    List<String> headers = new ArrayList<>(COLUMNS);
    if (partitions) {
      headers.add("PARTITION");
    }
    if (errors) {
      headers.add("ERROR");
    }
    TextTable table = new TextTable(headers);
    for (NodeReport r : reports) {
      if (groupless(r)) {
        List<String> row =
            new ArrayList<>(
                List.of(
                    r.status() == null ? "-" : r.status().getNodeId(),
                    r.endpoint(),
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "false"));
        if (partitions) {
          row.add("-");
        }
        row.add(errorOf(r));
        table.add(row);
        continue;
      }
      for (GroupStatus g : r.status().getGroupsList()) {
        List<String> row =
            new ArrayList<>(
                List.of(
                    r.status().getNodeId(),
                    r.endpoint(),
                    g.getRole(),
                    Long.toString(g.getTerm()),
                    Long.toString(g.getCommitIndex()),
                    Long.toString(g.getAppliedIndex()),
                    g.getLeaderId().isEmpty() ? "-" : g.getLeaderId(),
                    Boolean.toString(g.getHealthy())));
        if (partitions) {
          row.add(Integer.toString(g.getPartition()));
        }
        if (errors) {
          row.add("");
        }
        table.add(row);
      }
    }
    return table;
  }

  private static List<Map<String, Object>> jsonRows(List<NodeReport> reports) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (NodeReport r : reports) {
      if (groupless(r)) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("node", r.status() == null ? null : r.status().getNodeId());
        row.put("address", r.endpoint());
        row.put("healthy", false);
        row.put("error", errorOf(r));
        rows.add(row);
        continue;
      }
      for (GroupStatus g : r.status().getGroupsList()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("node", r.status().getNodeId());
        row.put("address", r.endpoint());
        row.put("partition", g.getPartition());
        row.put("groupId", g.getGroupId());
        row.put("role", g.getRole());
        row.put("term", g.getTerm());
        row.put("commitIndex", g.getCommitIndex());
        row.put("appliedIndex", g.getAppliedIndex());
        row.put("leader", g.getLeaderId().isEmpty() ? null : g.getLeaderId());
        row.put("healthy", g.getHealthy());
        row.put("members", g.getMembersList());
        row.put("uptimeMs", r.status().getUptimeMs());
        rows.add(row);
      }
    }
    return rows;
  }

  /** Unreachable, or reachable but hosting no group (e.g. still starting). */
  private static boolean groupless(NodeReport r) {
    return r.status() == null || r.status().getGroupsCount() == 0;
  }

  private static String errorOf(NodeReport r) {
    return r.error() != null ? r.error() : "node hosts no raft group";
  }
}

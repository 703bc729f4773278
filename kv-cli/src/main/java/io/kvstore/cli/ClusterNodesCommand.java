package io.kvstore.cli;

import io.kvstore.cli.ClusterProbe.NodeReport;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kv cluster nodes}: the nodes of the cluster map with their addresses, zone, weight and
 * state, whether they vote in the meta group, how many partition replicas they hold, and whether
 * they answer a status call (all asked in parallel). Exit 3 if any node is unreachable; the table
 * is printed anyway.
 */
@Command(
    name = "nodes",
    description =
        "List the cluster map's nodes: addresses, zone, weight, meta voter, replica count and "
            + "whether each answers (exit 3 if one does not).")
final class ClusterNodesCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of(
          "NODE",
          "RAFT ADDRESS",
          "CLIENT ADDRESS",
          "ZONE",
          "WEIGHT",
          "STATE",
          "META",
          "REPLICAS",
          "REACHABLE");

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    ClusterMapResponse map;
    List<NodeReport> reports;
    try (KvClient client = kv.openClient()) {
      map = client.clusterMap();
      reports = ClusterProbe.ask(client, ClusterProbe.targets(map));
    }

    PrintWriter out = spec.commandLine().getOut();
    boolean errors = reports.stream().anyMatch(r -> !r.reachable());
    List<String> headers = new ArrayList<>(COLUMNS);
    if (errors) {
      headers.add("ERROR");
    }
    TextTable table = new TextTable(headers);
    List<Map<String, Object>> json = new ArrayList<>();
    for (int i = 0; i < map.getNodesCount(); i++) {
      NodeInfo n = map.getNodes(i);
      NodeReport r = reports.get(i);
      List<Integer> partitions = partitionsOf(map, n.getId());
      boolean meta = map.getMetaVotersList().contains(n.getId());
      List<String> cells =
          new ArrayList<>(
              List.of(
                  n.getId(),
                  n.getRaftEndpoint(),
                  n.getClientEndpoint(),
                  n.getZone(),
                  Integer.toString(n.getWeight()),
                  n.getState(),
                  meta ? "yes" : "no",
                  Integer.toString(partitions.size()),
                  r.reachable() ? "yes" : "no"));
      if (errors) {
        cells.add(r.reachable() ? "" : r.error());
      }
      table.add(cells);

      Map<String, Object> row = new LinkedHashMap<>();
      row.put("node", n.getId());
      row.put("raftAddress", n.getRaftEndpoint());
      row.put("clientAddress", n.getClientEndpoint());
      row.put("zone", n.getZone());
      row.put("weight", n.getWeight());
      row.put("state", n.getState());
      row.put("metaVoter", meta);
      row.put("replicas", partitions.size());
      row.put("partitions", partitions);
      row.put("reachable", r.reachable());
      row.put("error", r.error());
      json.add(row);
    }
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(json));
    } else {
      table.print(out, kv.output());
    }
    out.flush();

    long down = reports.stream().filter(r -> !r.reachable()).count();
    if (down == 0) {
      return ExitCodes.OK;
    }
    spec.commandLine()
        .getErr()
        .println("kv: " + down + " of " + reports.size() + " nodes unreachable");
    spec.commandLine().getErr().flush();
    return ExitCodes.UNAVAILABLE;
  }

  /** The partitions with a replica on {@code nodeId}, ascending. */
  private static List<Integer> partitionsOf(ClusterMapResponse map, String nodeId) {
    return map.getPartitionsList().stream()
        .filter(p -> p.getReplicasList().contains(nodeId))
        .map(PartitionInfo::getId)
        .sorted()
        .toList();
  }
}

package io.kvstore.cli;

import io.kvstore.cli.ClusterProbe.Claim;
import io.kvstore.cli.ClusterProbe.NodeReport;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.ring.HashRange;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kv cluster partitions}: one row per data partition of the cluster map, with its hash range
 * (inclusive end, hex), its replicas (preferred leader first, the current leader marked {@code *})
 * and the leader's term, applied index, key count and bytes on disk. Every node of the map is asked
 * for its status once, in parallel; a partition's leader is the replica whose group reports the
 * LEADER role. A partition with no such replica among the nodes that answered shows {@code -} and
 * makes the exit code 3. The meta group is not a partition: see {@code kv cluster status
 * --partitions}.
 */
@Command(
    name = "partitions",
    description =
        "List the partitions: hash range, replicas (leader marked *), and the leader's term, "
            + "applied index, keys and bytes (exit 3 if a partition has no known leader).")
final class ClusterPartitionsCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of("PARTITION", "HASH RANGE", "REPLICAS", "TERM", "APPLIED", "KEYS", "BYTES");

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
    Map<Integer, Claim> leaders = ClusterProbe.leaders(reports);
    List<PartitionInfo> partitions = new ArrayList<>(map.getPartitionsList());
    partitions.sort(Comparator.comparingInt(PartitionInfo::getId));

    boolean table = kv.output() == OutputFormat.table;
    TextTable text = new TextTable(COLUMNS);
    List<Map<String, Object>> json = new ArrayList<>();
    int leaderless = 0;
    for (PartitionInfo p : partitions) {
      HashRange range = HashRanges.fromMap(p.getId(), p.getRangeStart(), p.getRangeEnd());
      Claim leader = leaders.get(p.getId());
      GroupStatus g = leader == null ? null : leader.group();
      if (leader == null) {
        leaderless++;
      }
      text.add(
          List.of(
              Integer.toString(p.getId()),
              HashRanges.format(range),
              ClusterProbe.replicas(p.getReplicasList(), leader == null ? null : leader.nodeId()),
              g == null ? "-" : Long.toString(g.getTerm()),
              g == null ? "-" : Long.toString(g.getAppliedIndex()),
              g == null ? "-" : Long.toString(g.getKeyCount()),
              g == null
                  ? "-"
                  : table ? Units.bytes(g.getBytesOnDisk()) : Long.toString(g.getBytesOnDisk())));

      Map<String, Object> row = new LinkedHashMap<>();
      row.put("partition", p.getId());
      row.put("rangeStart", HashRanges.hex(range.startInclusive()));
      row.put("rangeEnd", HashRanges.hex(range.endInclusive()));
      row.put("rangeStartDecimal", HashRanges.decimal(range.startInclusive()));
      row.put("rangeEndDecimal", HashRanges.decimal(range.endInclusive()));
      row.put("replicas", p.getReplicasList());
      row.put("leader", leader == null ? null : leader.nodeId());
      row.put("term", g == null ? null : g.getTerm());
      row.put("applied", g == null ? null : g.getAppliedIndex());
      row.put("keys", g == null ? null : g.getKeyCount());
      row.put("bytes", g == null ? null : g.getBytesOnDisk());
      json.add(row);
    }

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      out.println(Json.render(json));
    } else {
      text.print(out, kv.output());
    }
    out.flush();

    if (leaderless == 0) {
      return ExitCodes.OK;
    }
    long down = reports.stream().filter(r -> !r.reachable()).count();
    spec.commandLine()
        .getErr()
        .println(
            "kv: "
                + leaderless
                + " of "
                + partitions.size()
                + " partitions have no known leader"
                + (down == 0 ? "" : " (" + down + " of " + reports.size() + " nodes unreachable)"));
    spec.commandLine().getErr().flush();
    return ExitCodes.UNAVAILABLE;
  }
}

package io.kvstore.cli;

import io.kvstore.raft.server.NodeConfig;
import io.kvstore.raft.server.SnapshotRestore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv snapshot restore DIR --config FILE}: seeds the data directory of one node of a fresh
 * cluster from a backup, before the node's first start. Run it for every node, then start them:
 * each partition starts with exactly the saved keys and versions, and its log continues above the
 * saved index, so new writes get higher versions. Talks to no cluster.
 */
@Command(
    name = "restore",
    description =
        "Seed a fresh node's data directory from a backup made by 'kv snapshot save'. Run it for "
            + "every node of the new cluster before starting any of them.")
final class SnapshotRestoreCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of("PARTITION", "TERM", "INDEX", "KEYS", "BYTES");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Backup directory.")
  Path dir;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description =
          "The node's configuration (as for 'kv start'); its data directory must be "
              + "empty or absent.")
  Path config;

  @Override
  public Integer call() throws IOException {
    Kv kv = Kv.of(spec);
    NodeConfig node = NodeConfig.load(config);
    List<SnapshotRestore.Staged> staged = SnapshotRestore.restore(node, dir);
    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (SnapshotRestore.Staged s : staged) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("partition", s.partition());
        row.put("term", s.term());
        row.put("index", s.index());
        row.put("keys", s.dataKeys());
        row.put("bytes", s.bytes());
        rows.add(row);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("node", node.nodeId());
      doc.put("dataDir", node.dataDir().toString());
      doc.put("partitions", rows);
      out.println(Json.render(doc));
    } else {
      TextTable t = new TextTable(COLUMNS);
      for (SnapshotRestore.Staged s : staged) {
        t.add(
            List.of(
                Integer.toString(s.partition()),
                Long.toString(s.term()),
                Long.toString(s.index()),
                Long.toString(s.dataKeys()),
                kv.output() == OutputFormat.table
                    ? Units.bytes(s.bytes())
                    : Long.toString(s.bytes())));
      }
      t.print(out, kv.output());
      if (kv.output() == OutputFormat.table) {
        out.println(
            "node "
                + node.nodeId()
                + ": "
                + staged.size()
                + " partitions staged in "
                + node.dataDir()
                + "; start it once every node of the new cluster is restored");
      }
    }
    out.flush();
    return ExitCodes.OK;
  }
}

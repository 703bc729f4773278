package io.kvstore.cli;

import io.kvstore.cli.ClusterProbe.Claim;
import io.kvstore.cli.ClusterProbe.NodeReport;
import io.kvstore.cli.ClusterProbe.Target;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.ring.HashRange;
import io.kvstore.core.ring.KeyHasher;
import io.kvstore.core.ring.PartitionScheme;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kv locate KEY}: where a key lives. The partition is computed here, as every client routes:
 * the key's hash ({@link KeyHasher#hashKey}, hash tags honoured) cut by the map's partition count
 * ({@link PartitionScheme}). A map whose {@code key_hash} is not the function implemented here is
 * refused (exit 4) rather than answered wrongly, and so is a map whose range for that partition
 * does not contain the hash. The leader is the replica whose group says LEADER (each replica is
 * asked for its status), else the leader the answering node's map names; none known: {@code -} and
 * exit 3.
 */
@Command(
    name = "locate",
    description =
        "Show KEY's partition, hash, hash range, replicas and leader (exit 3 if the partition "
            + "has no known leader).")
final class LocateCommand implements Callable<Integer> {
  private static final List<String> COLUMNS =
      List.of("PARTITION", "HASH", "HASH RANGE", "REPLICAS", "LEADER", "LEADER ADDRESS");

  @Spec CommandSpec spec;

  @Mixin BinaryOptions binary;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (1..1024 bytes).")
  String key;

  /** Where a key maps under a given map: pure, so tests can check it without a cluster. */
  record Location(int partition, long hash, HashRange range, PartitionInfo info) {}

  /**
   * Locates {@code key} under {@code map}.
   *
   * @throws IncompatibleMapException if the map's hash function is unknown here or its partitions
   *     disagree with the computation
   */
  static Location locate(ClusterMapResponse map, byte[] key) {
    if (!ClusterProbe.KEY_HASH.equals(map.getKeyHash())) {
      throw new IncompatibleMapException(
          "the cluster map uses key hash '"
              + map.getKeyHash()
              + "', but this kv knows only '"
              + ClusterProbe.KEY_HASH
              + "'; use a kv of the cluster's version");
    }
    PartitionScheme scheme;
    try {
      scheme = PartitionScheme.of(map.getPartitionCount());
    } catch (IllegalArgumentException e) {
      throw new IncompatibleMapException("the cluster map's " + e.getMessage());
    }
    long hash = KeyHasher.hashKey(key);
    int partition = scheme.partitionOf(hash);
    PartitionInfo info =
        map.getPartitionsList().stream()
            .filter(p -> p.getId() == partition)
            .findFirst()
            .orElseThrow(
                () ->
                    new IncompatibleMapException(
                        "the cluster map has no partition " + partition + " (of " + scheme + ")"));
    HashRange range = HashRanges.fromMap(partition, info.getRangeStart(), info.getRangeEnd());
    if (!range.contains(hash)) {
      throw new IncompatibleMapException(
          "the cluster map's range for partition "
              + partition
              + ", "
              + HashRanges.format(range)
              + ", does not contain the key's hash "
              + HashRanges.hex(hash));
    }
    return new Location(partition, hash, range, info);
  }

  @Override
  public Integer call() {
    Kv kv = Kv.of(spec);
    BinaryEncoding encoding = binary.encoding();
    byte[] keyBytes = encoding.decode(key, "KEY");
    kv.limits().checkKey(keyBytes);

    ClusterMapResponse map;
    Location at;
    String leader;
    try (KvClient client = kv.openClient()) {
      map = client.clusterMap();
      at = locate(map, keyBytes);
      List<Target> replicas = new ArrayList<>();
      for (String id : at.info().getReplicasList()) {
        ClusterProbe.node(map, id)
            .ifPresent(n -> replicas.add(new Target(n.getClientEndpoint(), id)));
      }
      List<NodeReport> reports = ClusterProbe.ask(client, replicas);
      Claim claim = ClusterProbe.leaders(reports).get(at.partition());
      leader = claim != null ? claim.nodeId() : at.info().getLeader();
    }
    if (leader != null && leader.isEmpty()) {
      leader = null;
    }
    String leaderAddress =
        leader == null
            ? null
            : ClusterProbe.node(map, leader).map(NodeInfo::getClientEndpoint).orElse(null);

    PrintWriter out = spec.commandLine().getOut();
    if (kv.output() == OutputFormat.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      encoding.putJson(json, "key", keyBytes);
      json.put("partition", at.partition());
      json.put("hash", HashRanges.hex(at.hash()));
      json.put("hashDecimal", HashRanges.decimal(at.hash()));
      json.put("rangeStart", HashRanges.hex(at.range().startInclusive()));
      json.put("rangeEnd", HashRanges.hex(at.range().endInclusive()));
      json.put("rangeStartDecimal", HashRanges.decimal(at.range().startInclusive()));
      json.put("rangeEndDecimal", HashRanges.decimal(at.range().endInclusive()));
      json.put("replicas", at.info().getReplicasList());
      json.put("leader", leader);
      json.put("leaderAddress", leaderAddress);
      json.put("mapEpoch", map.getEpoch());
      json.put("partitionCount", map.getPartitionCount());
      out.println(Json.render(json));
    } else {
      TextTable table = new TextTable(COLUMNS);
      table.add(
          List.of(
              Integer.toString(at.partition()),
              HashRanges.hex(at.hash()),
              HashRanges.format(at.range()),
              ClusterProbe.replicas(at.info().getReplicasList(), leader),
              leader == null ? "-" : leader,
              leaderAddress == null ? "-" : leaderAddress));
      table.print(out, kv.output());
    }
    out.flush();

    if (leader != null) {
      return ExitCodes.OK;
    }
    spec.commandLine().getErr().println("kv: partition " + at.partition() + " has no known leader");
    spec.commandLine().getErr().flush();
    return ExitCodes.UNAVAILABLE;
  }
}

package io.kvstore.raft.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.kvstore.client.KvClient;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.cluster.PartitionEntry;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Server-side routing: a key's partition by the cluster map, and the local Raft group of that
 * partition. A node holding no replica of the partition redirects the client to the partition's
 * preferred leader (another replica if that is this node), with its map epoch, so a client with an
 * outdated map refreshes it.
 *
 * <p>The map is read afresh for every request (it changes when replicas move). Whether the node
 * serves a partition follows the group actually running here, not only the map: a replica just
 * moved in serves before the map names it, and one moved away redirects before the map drops it. A
 * miss also tells {@code onMiss}, so the node can check at once whether its map is outdated.
 */
public final class KeyRouter implements KvGrpcService.Router {
  private final Supplier<ClusterMap> map;
  private final String selfId;
  private final IntFunction<RaftGroupId> groupOf;
  private final IntPredicate runsHere;
  private final Runnable onMiss;

  /** A router by a fixed map alone (tests, tools). */
  public KeyRouter(ClusterMap map, String selfId, IntFunction<RaftGroupId> groupOf) {
    this(() -> map, selfId, groupOf, p -> map.partition(p).replicas().contains(selfId), () -> {});
  }

  /**
   * @param map the node's current cluster map
   * @param runsHere whether the partition's group runs on this node
   * @param onMiss called (on the request thread; must be quick) when a request names a partition
   *     without a replica here
   */
  public KeyRouter(
      Supplier<ClusterMap> map,
      String selfId,
      IntFunction<RaftGroupId> groupOf,
      IntPredicate runsHere,
      Runnable onMiss) {
    this.map = map;
    this.selfId = selfId;
    this.groupOf = groupOf;
    this.runsHere = runsHere;
    this.onMiss = onMiss;
  }

  @Override
  public RaftGroupId groupOf(byte[] key) {
    ClusterMap m = map.get();
    return groupOfPartition(m, m.partitionOf(key));
  }

  @Override
  public int partitionOf(byte[] key) {
    return map.get().partitionOf(key);
  }

  @Override
  public RaftGroupId groupOfPartition(int p) {
    return groupOfPartition(map.get(), p);
  }

  private RaftGroupId groupOfPartition(ClusterMap map, int p) {
    if (p < 0 || p >= map.partitionCount()) {
      throw new IllegalArgumentException(
          "partition " + p + " does not exist (0.." + (map.partitionCount() - 1) + ")");
    }
    if (runsHere.test(p)) {
      return groupOf.apply(p);
    }
    onMiss.run();
    PartitionEntry e = map.partition(p);
    String other = null;
    for (String r : e.replicas()) {
      if (!r.equals(selfId)) {
        other = r;
        break;
      }
    }
    Metadata trailers = new Metadata();
    String leader =
        other == null ? null : map.node(other).map(NodeEntry::clientEndpoint).orElse(null);
    if (leader != null) {
      trailers.put(KvClient.LEADER_KEY, leader);
    }
    trailers.put(KvClient.EPOCH_KEY, Long.toString(map.epoch()));
    throw Status.FAILED_PRECONDITION
        .withDescription("partition " + p + " has no replica on " + selfId)
        .asRuntimeException(trailers);
  }
}

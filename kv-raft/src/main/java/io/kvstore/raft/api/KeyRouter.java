package io.kvstore.raft.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.kvstore.client.KvClient;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.cluster.PartitionEntry;
import java.util.function.IntFunction;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Server-side routing: a key's partition by the cluster map, and the local Raft group of that
 * partition. A node holding no replica of the partition redirects the client to the partition's
 * preferred leader, with its map epoch, so a client with an outdated map refreshes it.
 */
public final class KeyRouter implements KvGrpcService.Router {
  private final ClusterMap map;
  private final String selfId;
  private final IntFunction<RaftGroupId> groupOf;

  public KeyRouter(ClusterMap map, String selfId, IntFunction<RaftGroupId> groupOf) {
    this.map = map;
    this.selfId = selfId;
    this.groupOf = groupOf;
  }

  @Override
  public RaftGroupId groupOf(byte[] key) {
    return groupOfPartition(map.partitionOf(key));
  }

  @Override
  public int partitionOf(byte[] key) {
    return map.partitionOf(key);
  }

  @Override
  public RaftGroupId groupOfPartition(int p) {
    if (p < 0 || p >= map.partitionCount()) {
      throw new IllegalArgumentException(
          "partition " + p + " does not exist (0.." + (map.partitionCount() - 1) + ")");
    }
    PartitionEntry e = map.partition(p);
    if (e.replicas().contains(selfId)) {
      return groupOf.apply(p);
    }
    Metadata trailers = new Metadata();
    String leader = map.node(e.preferredLeader()).map(NodeEntry::clientEndpoint).orElse(null);
    if (leader != null) {
      trailers.put(KvClient.LEADER_KEY, leader);
    }
    trailers.put(KvClient.EPOCH_KEY, Long.toString(map.epoch()));
    throw Status.FAILED_PRECONDITION
        .withDescription("partition " + p + " has no replica on " + selfId)
        .asRuntimeException(trailers);
  }
}

package io.kvstore.cli;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.KvAdminGrpc;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Channels to nodes for the {@code KvAdmin} service (kv_admin.proto), one per endpoint, and the
 * routing those commands share: a partition's leader first, then its other replicas.
 */
final class AdminChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  KvAdminGrpc.KvAdminBlockingStub blocking(String endpoint) {
    return KvAdminGrpc.newBlockingStub(channel(endpoint));
  }

  private ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(
        endpoint,
        e ->
            NettyChannelBuilder.forTarget(e).usePlaintext().maxInboundMessageSize(8 << 20).build());
  }

  /** The client endpoint of node {@code id} in {@code map}, or null. */
  static String endpointOf(ClusterMapResponse map, String id) {
    for (NodeInfo n : map.getNodesList()) {
      if (n.getId().equals(id)) {
        return n.getClientEndpoint();
      }
    }
    return null;
  }

  /** The partition's replicas' endpoints: its known leader first, then the map's order. */
  static List<String> replicasLeaderFirst(ClusterMapResponse map, PartitionInfo p) {
    List<String> out = new ArrayList<>();
    if (!p.getLeader().isEmpty() && endpointOf(map, p.getLeader()) != null) {
      out.add(endpointOf(map, p.getLeader()));
    }
    for (String r : p.getReplicasList()) {
      String e = endpointOf(map, r);
      if (e != null && !out.contains(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The leader a FAILED_PRECONDITION redirect names, or null. */
  static String leaderHint(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
      return null;
    }
    Metadata trailers = Status.trailersFromThrowable(e);
    return trailers == null ? null : trailers.get(KvClient.LEADER_KEY);
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

package io.kvstore.raft.server;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvstore.client.proto.ClusterMapFile;
import io.kvstore.client.proto.ClusterMapFileRequest;
import io.kvstore.client.proto.KvAdminGrpc;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.ClusterMapCodec;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.codec.CodecException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first start of a node with {@code cluster.join=true}: instead of computing a map of its own,
 * it asks the other members of {@code cluster.members} (their client ports) for the running
 * cluster's map, then adds itself to the authoritative map in the meta group (compare-and-set,
 * epoch + 1; nothing to do if it is already there with the same endpoints). It joins holding no
 * replica; replicas come to it by moves ({@link ReplicaMover}).
 */
final class ClusterJoin {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);
  static final long JOIN_TIMEOUT_MS = 60_000;

  private ClusterJoin() {}

  static ClusterMap join(NodeConfig config) throws IOException {
    ClusterMap seed = fetchAnyMap(config);
    if (seed.partitionCount() != config.partitions()) {
      LOG.info(
          "joining a cluster of {} partitions (cluster.partitions {} is ignored when joining)",
          seed.partitionCount(),
          config.partitions());
    }
    NodeEntry self = config.self().toNodeEntry();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MS);
    try (MapStore store = MapStore.connect(seed)) {
      while (true) {
        try {
          MapStore.Stored stored = store.update(m -> MapChanges.withNode(m, self));
          LOG.info(
              "joined the cluster as {} (map epoch {}, {} nodes)",
              config.nodeId(),
              stored.map().epoch(),
              stored.map().nodes().size());
          return stored.map();
        } catch (IOException e) {
          // The meta group may still be electing a leader or storing its first map.
          if (System.nanoTime() > deadline) {
            throw new NodeStartException(
                "cannot join the cluster: the meta group did not answer within "
                    + JOIN_TIMEOUT_MS / 1000
                    + " s: "
                    + e.getMessage());
          }
          sleep();
        }
      }
    } catch (IllegalArgumentException e) {
      throw new NodeStartException("cannot join the cluster: " + e.getMessage());
    }
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(1000); // waiting for the cluster to come up
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("join interrupted");
    }
  }

  /**
   * The first start of a node without {@code cluster.join}: refuses to bootstrap when another
   * member already runs a cluster whose map differs from the one this node would create (the
   * operator meant to join it, or the settings differ). Members that do not answer within a moment
   * are skipped: at a real bootstrap they may not be up yet.
   */
  static void checkNoOtherCluster(NodeConfig config, ClusterMap bootstrap) {
    for (Member m : config.members()) {
      if (m.id().equals(config.nodeId())) {
        continue;
      }
      ClusterMap theirs;
      ManagedChannel ch = NettyChannelBuilder.forTarget(m.clientAddress()).usePlaintext().build();
      try {
        ClusterMapFile f =
            KvAdminGrpc.newBlockingStub(ch)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .getClusterMapFile(ClusterMapFileRequest.getDefaultInstance());
        theirs = ClusterMapCodec.decode(f.getData().toByteArray());
      } catch (StatusRuntimeException | CodecException e) {
        continue;
      } finally {
        ch.shutdownNow();
      }
      if (!theirs.equals(bootstrap)) {
        throw new NodeStartException(
            "member "
                + m.id()
                + " runs a cluster whose map (epoch "
                + theirs.epoch()
                + ", "
                + theirs.nodes().size()
                + " nodes) differs from the one this node would create; to add this node to"
                + " it, start it with cluster.join=true");
      }
    }
  }

  /** Any member's copy of the map; it names the meta voters to ask for the current one. */
  private static ClusterMap fetchAnyMap(NodeConfig config) throws IOException {
    List<Member> others = new ArrayList<>();
    for (Member m : config.members()) {
      if (!m.id().equals(config.nodeId())) {
        others.add(m);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MS);
    String last = "";
    while (true) {
      for (Member m : others) {
        ManagedChannel ch = NettyChannelBuilder.forTarget(m.clientAddress()).usePlaintext().build();
        try {
          ClusterMapFile f =
              KvAdminGrpc.newBlockingStub(ch)
                  .withDeadlineAfter(5, TimeUnit.SECONDS)
                  .getClusterMapFile(ClusterMapFileRequest.getDefaultInstance());
          if (!NodeStatus.KEY_HASH.equals(f.getKeyHash())) {
            throw new NodeStartException(
                "cannot join through "
                    + m.id()
                    + ": the cluster uses key hash '"
                    + f.getKeyHash()
                    + "', this node "
                    + NodeStatus.KEY_HASH);
          }
          return ClusterMapCodec.decode(f.getData().toByteArray());
        } catch (StatusRuntimeException | CodecException e) {
          last = m.id() + " (" + m.clientAddress() + "): " + e.getMessage();
        } finally {
          ch.shutdownNow();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new NodeStartException(
            "cluster.join=true but no other member of cluster.members answered within "
                + JOIN_TIMEOUT_MS / 1000
                + " s; last: "
                + last);
      }
      sleep();
    }
  }
}

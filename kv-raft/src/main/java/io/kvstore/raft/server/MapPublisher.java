package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.ClusterMapCodec;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.QueryCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import io.kvstore.raft.api.RaftGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the bootstrap cluster map in the meta group once: every meta voter proposes it with "put
 * if absent", so exactly one proposal wins whoever leads, and the others read it back and check
 * that they agree. Runs in the background until done; a node whose configuration computes a
 * different map of the same epoch says so loudly. A newer map in the meta group is simply taken
 * (the {@link MapFollower} would find it too).
 */
final class MapPublisher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(MapPublisher.class);
  static final byte[] MAP_KEY = "cluster/map".getBytes(StandardCharsets.UTF_8);

  private final RaftGateway gateway;
  private final ClusterMap map;
  private final MapFollower follower;
  private volatile boolean stopped;

  MapPublisher(RaftGateway gateway, ClusterMap map, MapFollower follower) {
    this.gateway = gateway;
    this.map = map;
    this.follower = follower;
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    byte[] entry =
        CommandCodec.encode(
            new Proposal(
                RequestId.NONE,
                new Command.Put(MAP_KEY, ClusterMapCodec.encode(map), Command.ABSENT)));
    long backoffMs = 100;
    while (!stopped) {
      try {
        Result r =
            ResultCodec.decode(
                gateway
                    .write(PartitionGroups.META_GROUP, entry, 5000)
                    .get(10, TimeUnit.SECONDS)
                    .message());
        if (r instanceof Result.Written w) {
          LOG.info(
              "cluster map epoch {} stored in the meta group at index {}",
              map.epoch(),
              w.version());
          return;
        }
        if (r instanceof Result.ConditionFailed) {
          VersionedValue stored =
              QueryCodec.decodeGetReply(
                  gateway
                      .read(PartitionGroups.META_GROUP, QueryCodec.encodeGet(MAP_KEY), 5000)
                      .get(10, TimeUnit.SECONDS));
          ClusterMap theirs = ClusterMapCodec.decode(stored.value());
          if (theirs.equals(map)) {
            LOG.info("cluster map epoch {} confirmed in the meta group", map.epoch());
          } else if (theirs.epoch() > map.epoch()) {
            // The cluster moved on (replicas moved, nodes joined) while this node was down.
            follower.offer(theirs);
          } else {
            LOG.error(
                "the meta group holds a different cluster map (epoch {}) than this node's "
                    + "(epoch {}): check that cluster.* settings are identical on all nodes",
                theirs.epoch(),
                map.epoch());
          }
          return;
        }
        LOG.error("storing the cluster map failed: {}", r);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException | IOException e) {
        LOG.debug("meta group not ready to store the cluster map: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(backoffMs); // a retry loop in a background daemon, not test synchronization
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoffMs = Math.min(2000, backoffMs * 2);
    }
  }
}

package io.kvstore.raft.server;

import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the replicas this node no longer holds: a partition group that runs here although the map
 * does not place it here, and that the group's leader reports outside its configuration (neither
 * voter nor listener, no reconfiguration in progress, and not being caught up by the leader before
 * an add: Ratis does that before the new member appears in the configuration). Its directory is
 * deleted.
 *
 * <p>Never creates a group (adding a replica is the mover's job), and leaves alone a group whose
 * own configuration is still empty: that is a replica a mover has just created and not yet added to
 * the group. Asking the leader, not the local copy, matters: a removed replica may never learn the
 * configuration that removed it, and a follower may not have seen one that added this node.
 */
final class GroupJanitor {
  private static final Logger LOG = LoggerFactory.getLogger(GroupJanitor.class);
  static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final RaftServer raft;
  private final PartitionGroups groups;
  private final String nodeId;
  private final RaftPeerId self;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private long lastSweepNanos = System.nanoTime() - SWEEP_EVERY_NANOS;
  private long lastEpoch = -1;

  GroupJanitor(RaftServer raft, PartitionGroups groups, String nodeId) {
    this.raft = raft;
    this.groups = groups;
    this.nodeId = nodeId;
    this.self = RaftPeerId.valueOf(nodeId);
  }

  /** One round: at once after a map change, else at most every 2 s. Single-threaded. */
  void sweep() {
    ClusterMap map = groups.map();
    long now = System.nanoTime();
    if (map.epoch() == lastEpoch && now - lastSweepNanos < SWEEP_EVERY_NANOS) {
      return;
    }
    lastEpoch = map.epoch();
    lastSweepNanos = now;
    for (RaftGroupId gid : raft.getGroupIds()) {
      Integer p = groups.partitionOf(gid);
      if (p == null || p == PartitionGroups.META) {
        continue;
      }
      if (map.partition(p).replicas().contains(nodeId)) {
        continue;
      }
      try {
        sweep(map, p, gid);
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}: cannot check the replica of partition {}: {}", nodeId, p, e.toString());
      }
    }
  }

  private void sweep(ClusterMap map, int p, RaftGroupId gid) throws IOException {
    Map<RaftPeerId, RaftPeer> askable = new LinkedHashMap<>();
    RaftServer.Division d = null;
    try {
      d = raft.getDivision(gid);
    } catch (IOException e) {
      // closed (e.g. told to shut down by the leader after its removal): still ours to remove
    }
    if (d != null) {
      if (d.getRaftConf().getAllPeers().isEmpty()
          && d.getRaftConf().getAllPeers(RaftPeerRole.LISTENER).isEmpty()) {
        return; // created by a mover, not yet added to the group
      }
      for (RaftPeer peer : d.getRaftConf().getAllPeers()) {
        askable.put(peer.getId(), peer);
      }
      for (RaftPeer peer : d.getRaftConf().getAllPeers(RaftPeerRole.LISTENER)) {
        askable.put(peer.getId(), peer);
      }
    }
    for (String id : map.partition(p).replicas()) {
      NodeEntry n = map.node(id).orElseThrow();
      askable.putIfAbsent(
          RaftPeerId.valueOf(id),
          RaftPeer.newBuilder().setId(id).setAddress(n.raftEndpoint()).build());
    }
    askable.remove(self);
    GroupInfoReply leader = leaderInfo(gid, askable);
    if (leader == null) {
      return; // no leader reachable: decide later
    }
    GroupConf conf = GroupConf.of(leader);
    if (conf.changing()) {
      return; // a reconfiguration in progress: decide later
    }
    if (conf.contains(nodeId)) {
      return; // during a change this also holds while it is in the previous configuration
    }
    for (ServerRpcProto f : leader.getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
      if (f.getId().getId().toStringUtf8().equals(nodeId)) {
        return; // the leader is catching this replica up before adding it (staging)
      }
    }
    RaftClientReply r =
        raft.groupManagement(
            GroupManagementRequest.newRemove(
                clientId, self, callIds.incrementAndGet(), gid, true, false));
    if (r.isSuccess()) {
      LOG.info(
          "{}: removed the replica of partition {} (not in map epoch {} nor in the group's"
              + " configuration); its directory is deleted",
          nodeId,
          p,
          map.epoch());
    } else {
      LOG.warn("{}: removing the replica of partition {} failed: {}", nodeId, p, r.getException());
    }
  }

  /** What the group's leader reports about the group, or null if no leader answered. */
  static GroupInfoReply leaderInfo(RaftGroupId gid, Map<RaftPeerId, RaftPeer> peers) {
    for (RaftPeer peer : peers.values()) {
      try (RaftClient c = RatisClients.once(RaftGroup.valueOf(gid, peer), Duration.ofSeconds(3))) {
        GroupInfoReply info = c.getGroupManagementApi(peer.getId()).info(gid);
        if (info.isSuccess()
            && info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER
            && info.getGroup() != null) {
          return info;
        }
      } catch (IOException | RuntimeException e) {
        // down or not hosting the group: ask the next
      }
    }
    return null;
  }
}

package io.kvstore.raft.server;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.DiskStatus;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.client.proto.NodeInfo;
import io.kvstore.client.proto.PartitionInfo;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.NodeEntry;
import io.kvstore.core.cluster.PartitionEntry;
import io.kvstore.core.command.CommandExecutor;
import io.kvstore.core.ring.HashRange;
import io.kvstore.core.storage.StorageException;
import io.kvstore.raft.statemachine.HotCache;
import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds what the node reports about itself: its groups' status and its cluster map. */
final class NodeStatus {
  private static final Logger LOG = LoggerFactory.getLogger(NodeStatus.class);
  static final String KEY_HASH = "xxh64-seed0-hashtag";

  private final NodeConfig config;
  private final RaftServer raft;
  private final PartitionGroups groups;
  private final HotCache cache;
  private final DiskWatchdog disk;
  private final long startedNanos = System.nanoTime();

  NodeStatus(
      NodeConfig config,
      RaftServer raft,
      PartitionGroups groups,
      HotCache cache,
      DiskWatchdog disk) {
    this.config = config;
    this.raft = raft;
    this.groups = groups;
    this.cache = cache;
    this.disk = disk;
  }

  ClusterStatusResponse status() {
    Member self = config.self();
    ClusterStatusResponse.Builder b =
        ClusterStatusResponse.newBuilder()
            .setNodeId(config.nodeId())
            .setClientEndpoint(self.clientAddress())
            .setRaftEndpoint(self.raftAddress())
            .setZone(self.zone())
            .setMapEpoch(groups.map().epoch())
            .setUptimeMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
    CacheStats stats = cache.stats();
    b.setCache(
        io.kvstore.client.proto.CacheStatus.newBuilder()
            .setHits(stats.hitCount())
            .setMisses(stats.missCount())
            .setHitRatio(stats.requestCount() == 0 ? 0 : stats.hitRate())
            .setBytes(cache.weightedBytes())
            .setMaxBytes(config.cacheBytes()));
    DiskWatchdog.Health h = disk.health();
    b.setDisk(
        DiskStatus.newBuilder()
            .setState(h.state().name())
            .setWritable(disk.writable())
            .setFreeBytes(h.freeBytes())
            .setTotalBytes(h.totalBytes())
            .setMinFreeBytes(disk.minFreeBytes())
            .setReason(h.reason())
            .setStateAgeMs(Math.max(0, System.currentTimeMillis() - h.sinceMillis()))
            .setPath(disk.dir().toAbsolutePath().toString()));
    for (int p : groups.hostedBy(config.nodeId())) {
      RaftGroupId gid = PartitionGroups.groupId(p);
      try {
        b.addGroups(groupStatus(p, raft.getDivision(gid)));
      } catch (RuntimeException e) {
        b.addGroups(
            GroupStatus.newBuilder()
                .setPartition(Math.max(0, p))
                .setMeta(p == PartitionGroups.META)
                .setGroupId(gid.getUuid().toString())
                .setRole("UNKNOWN")
                .setHealthy(false)
                .setStorageError(String.valueOf(e.getMessage())));
      } catch (IOException e) {
        // The map places a replica here but it is not running: report it, unhealthy.
        LOG.debug("group {} not available: {}", gid, e.toString());
        b.addGroups(
            GroupStatus.newBuilder()
                .setPartition(Math.max(0, p))
                .setMeta(p == PartitionGroups.META)
                .setGroupId(gid.getUuid().toString())
                .setRole("MISSING")
                .setHealthy(false));
      }
    }
    return b.build();
  }

  private GroupStatus groupStatus(int partition, RaftServer.Division d) {
    DivisionInfo info = d.getInfo();
    RaftPeerId leader = info.getLeaderId();
    GroupStatus.Builder g =
        GroupStatus.newBuilder()
            .setPartition(Math.max(0, partition))
            .setMeta(partition == PartitionGroups.META)
            .setGroupId(d.getGroup().getGroupId().getUuid().toString())
            .setRole(info.getCurrentRole().name())
            .setTerm(info.getCurrentTerm())
            .setCommitIndex(d.getRaftLog().getLastCommittedIndex())
            .setAppliedIndex(info.getLastAppliedIndex())
            .setLeaderId(leader == null ? "" : leader.toString())
            .setBytesOnDisk(sizeOf(d.getRaftStorage().getStorageDir().getRoot().toPath()))
            .setLogBytes(LogCompactor.logBytes(d))
            .setSnapshotBytes(LogCompactor.snapshotBytes(d))
            .setLogStartIndex(Math.max(0, d.getRaftLog().getStartIndex()));
    SnapshotInfo snapshot = d.getStateMachine().getLatestSnapshot();
    if (snapshot != null) {
      g.setSnapshotIndex(Math.max(0, snapshot.getIndex()));
    }
    String storageError = "";
    if (d.getStateMachine() instanceof KvStateMachine sm) {
      if (sm.store() != null && info.isAlive()) {
        try {
          g.setKeyCount(CommandExecutor.keyCount(sm.store()));
        } catch (StorageException e) {
          // closed after a failed write, waiting for the disk to reopen it
          storageError = "store closed after a failed write; reopens when the disk is healthy";
        }
      }
      if (sm.logFailed()) {
        storageError = "Raft log write failed; reopens when the disk is healthy";
      }
    }
    if (!info.isAlive() && storageError.isEmpty()) {
      storageError = "replica closed; reopens when the disk is healthy";
    }
    if (storageError.isEmpty() && !disk.writable()) {
      storageError = "data disk " + disk.health().state() + ": " + disk.health().reason();
    }
    g.setStorageError(storageError);
    g.setHealthy(info.isAlive() && leader != null && storageError.isEmpty());
    d.getGroup().getPeers().forEach(peer -> g.addMembers(peer.getId().toString()));
    return g.build();
  }

  /** The cluster map, with each hosted partition's leader as this node sees it. */
  ClusterMapResponse clusterMap() {
    ClusterMap map = groups.map();
    ClusterMapResponse.Builder b =
        ClusterMapResponse.newBuilder()
            .setEpoch(map.epoch())
            .setPartitionCount(map.partitionCount())
            .setReplicationFactor(map.replicationFactor())
            .addAllMetaVoters(map.metaVoters())
            .setKeyHash(KEY_HASH);
    for (NodeEntry n : map.nodes()) {
      b.addNodes(
          NodeInfo.newBuilder()
              .setId(n.id())
              .setRaftEndpoint(n.raftEndpoint())
              .setClientEndpoint(n.clientEndpoint())
              .setZone(n.zone())
              .setWeight(n.weight())
              .setState(n.state().name()));
    }
    for (PartitionEntry e : map.partitions()) {
      HashRange range = map.scheme().range(e.id());
      PartitionInfo.Builder p =
          PartitionInfo.newBuilder()
              .setId(e.id())
              .setRangeStart(range.startInclusive())
              .setRangeEnd(range.endExclusive())
              .addAllReplicas(e.replicas());
      if (e.replicas().contains(config.nodeId())) {
        try {
          RaftPeerId leader =
              raft.getDivision(PartitionGroups.groupId(e.id())).getInfo().getLeaderId();
          if (leader != null) {
            p.setLeader(leader.toString());
          }
        } catch (IOException ignored) {
          // not started yet: no leader to report
        }
      }
      b.addPartitions(p);
    }
    return b.build();
  }

  private static long sizeOf(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }
}

package io.kvstore.raft.server;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots a partition when its Raft log grows past {@code raft.snapshot.trigger-log-mb}, in
 * addition to Ratis's own trigger by entry count: entries of large values fill a disk long before
 * the count is reached. Ratis then purges the log up to the snapshot, keeping the last {@code
 * raft.log.purge-margin-entries} entries for replicas that lag a little.
 */
final class LogCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(LogCompactor.class);

  /** Fewest entries applied since the last snapshot for a new one to be worth it. */
  static final long MIN_ENTRIES = 1024;

  private final RaftServer raft;
  private final PartitionGroups groups;
  private final String nodeId;
  private final long triggerBytes;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Map<RaftGroupId, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();

  LogCompactor(RaftServer raft, PartitionGroups groups, String nodeId, long triggerBytes) {
    this.raft = raft;
    this.groups = groups;
    this.nodeId = nodeId;
    this.triggerBytes = triggerBytes;
  }

  void tick() {
    for (int p : groups.hostedBy(nodeId)) {
      RaftGroupId gid = PartitionGroups.groupId(p);
      CompletableFuture<?> running = inFlight.get(gid);
      if (running != null && !running.isDone()) {
        continue;
      }
      RaftServer.Division d;
      try {
        d = raft.getDivision(gid);
      } catch (IOException e) {
        continue;
      }
      if (!d.getInfo().isAlive()) {
        continue;
      }
      long logBytes = logBytes(d);
      if (logBytes < triggerBytes) {
        continue;
      }
      SnapshotInfo latest = d.getStateMachine().getLatestSnapshot();
      long since = d.getInfo().getLastAppliedIndex() - (latest == null ? 0 : latest.getIndex());
      if (since < MIN_ENTRIES) {
        continue;
      }
      LOG.info(
          "{}: log of {} is {} MB (raft.snapshot.trigger-log-mb {}): taking a snapshot",
          nodeId,
          p == PartitionGroups.META ? "the meta group" : "partition " + p,
          logBytes >> 20,
          triggerBytes >> 20);
      try {
        inFlight.put(
            gid,
            raft.snapshotManagementAsync(
                SnapshotManagementRequest.newCreate(
                    clientId,
                    RaftPeerId.valueOf(nodeId),
                    gid,
                    callIds.incrementAndGet(),
                    120_000,
                    MIN_ENTRIES)));
      } catch (RuntimeException e) {
        LOG.debug("{}: snapshot request for {} failed: {}", nodeId, gid, e.toString());
      }
    }
  }

  /** Bytes of the group's log segment files on this node. */
  static long logBytes(RaftServer.Division d) {
    RaftStorageDirectory dir = d.getRaftStorage().getStorageDir();
    return sizeOf(dir.getCurrentDir(), "log_");
  }

  /** Bytes of the group's snapshot files (and their checksums) on this node. */
  static long snapshotBytes(RaftServer.Division d) {
    return sizeOf(d.getRaftStorage().getStorageDir().getStateMachineDir(), "");
  }

  private static long sizeOf(File dir, String prefix) {
    File[] files = dir == null ? null : dir.listFiles();
    if (files == null) {
      return 0;
    }
    long total = 0;
    for (File f : files) {
      if (f.isFile() && f.getName().startsWith(prefix)) {
        total += f.length();
      }
    }
    return total;
  }
}

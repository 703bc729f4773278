package io.kvstore.raft.server;

import io.kvstore.raft.statemachine.LogSegmentFiles;
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
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots a partition when the Raft log written since its last snapshot grows past {@code
 * raft.snapshot.trigger-log-mb} and past half that snapshot's size, in addition to Ratis's own
 * trigger by entry count: entries of large values fill a disk long before the count is reached.
 * Ratis then purges the log up to the snapshot, keeping the last {@code
 * raft.log.purge-margin-entries} entries for replicas that lag a little.
 */
final class LogCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(LogCompactor.class);

  /** Fewest entries applied since the last snapshot for a new one to be worth it. */
  static final long MIN_ENTRIES = 64;

  /**
   * A snapshot is a full export of the partition, so it is taken only once the log written since
   * the last one is at least this fraction of that snapshot's size: each export then writes at most
   * twice the log bytes it lets go, however large the partition grows.
   */
  static final double LOG_TO_SNAPSHOT_RATIO = 0.5;

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
      if (logBytes(d) < triggerBytes) {
        continue;
      }
      SnapshotInfo latest = d.getStateMachine().getLatestSnapshot();
      long snapshotIndex = latest == null ? 0 : latest.getIndex();
      if (d.getInfo().getLastAppliedIndex() - snapshotIndex < MIN_ENTRIES) {
        continue;
      }
      long logSince;
      try {
        logSince =
            LogSegmentFiles.bytesOverlapping(
                d.getRaftStorage().getStorageDir().getCurrentDir().toPath(),
                snapshotIndex + 1,
                Long.MAX_VALUE);
      } catch (IOException e) {
        continue;
      }
      long snapshotBytes = latest == null ? 0 : filesBytes(latest);
      long threshold = Math.max(triggerBytes, (long) (snapshotBytes * LOG_TO_SNAPSHOT_RATIO));
      if (logSince < threshold) {
        continue;
      }
      LOG.info(
          "{}: log of {} since its last snapshot is {} MB (threshold {} MB: "
              + "raft.snapshot.trigger-log-mb, or half the last snapshot): taking a snapshot",
          nodeId,
          p == PartitionGroups.META ? "the meta group" : "partition " + p,
          logSince >> 20,
          threshold >> 20);
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

  private static long filesBytes(SnapshotInfo snapshot) {
    long total = 0;
    for (FileInfo f : snapshot.getFiles()) {
      total += f.getPath().toFile().length();
    }
    return total;
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

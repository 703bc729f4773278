package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.KvClient;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.raft.server.PartitionGroups;
import io.kvstore.raft.statemachine.KvStateMachine;
import io.kvstore.raft.testing.Groups;
import io.kvstore.raft.testing.InJvmCluster;
import io.kvstore.raft.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long, bounded write loop over a bounded key set: snapshots triggered by log size (not by entry
 * count, which is set out of reach) and purges keep each node's log plus snapshot files bounded,
 * old snapshots are removed, and a replica that was down the whole time catches up by snapshot
 * installation.
 */
@Timeout(300)
class LogCompactionIT {
  static final RaftGroupId GROUP = PartitionGroups.groupId(0);
  static final Duration WAIT = Duration.ofSeconds(120);
  static final int WRITES = 7000;
  static final int KEYS = 200;
  static final int VALUE_BYTES = 2048;

  /**
   * 7.5 MiB: 1024 entries (the least a snapshot covers; 2 MiB here) twice over (Ratis purges in
   * steps of 1024 entries), an open segment, the margin and two snapshots of the 200 keys.
   */
  static final long BOUND_BYTES = 15L << 19;

  @TempDir Path dir;

  @Test
  void logAndSnapshotsStayBounded_andAReplicaThatWasDownCatchesUpBySnapshot() throws IOException {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "1");
    p.setProperty("raft.snapshot.auto-trigger-entries", "100000000");
    p.setProperty("raft.snapshot.trigger-log-mb", "1");
    p.setProperty("raft.log.segment-size-mb", "1");
    p.setProperty("raft.log.purge-margin-entries", "200");
    p.setProperty("storage.disk.check-interval-ms", "200");
    p.setProperty("storage.disk.min-free-mb", "0");
    p.setProperty("storage.disk.resume-free-mb", "0");
    p.setProperty("storage.compression", "none");
    try (InJvmCluster cluster = new InJvmCluster(dir, 3, p).startAll();
        KvClient client = cluster.client()) {
      client.put("warm".getBytes(UTF_8), "up".getBytes(UTF_8));
      int leader = cluster.awaitLeader(GROUP, WAIT);
      int down = (leader + 1) % 3;
      cluster.stop(down);

      byte[] value = new byte[VALUE_BYTES];
      List<long[]> samples = new ArrayList<>(); // writes, max log bytes, max snapshot bytes
      long maxTotal = 0;
      for (int i = 0; i < WRITES; i++) {
        Arrays.fill(value, (byte) i);
        client.put(("k" + (i % KEYS)).getBytes(UTF_8), value);
        if (i % 500 == 499) {
          long[] s = sample(cluster, down, i + 1);
          samples.add(s);
          maxTotal = Math.max(maxTotal, s[3]);
        }
      }
      long written = (long) WRITES * VALUE_BYTES;
      StringBuilder table = new StringBuilder();
      for (long[] s : samples) {
        table.append(
            String.format(
                "%n  %5d writes: log %,d B, snapshots %,d B, total %,d B", s[0], s[1], s[2], s[3]));
      }
      System.out.printf(
          "log compaction: %,d value bytes written; per node log + snapshot bytes (max over nodes):%s%n",
          written, table);
      assertTrue(
          maxTotal < BOUND_BYTES,
          "log + snapshots stayed under " + BOUND_BYTES + " B (max " + maxTotal + ")");
      assertTrue(written > 1.5 * BOUND_BYTES, "the loop wrote well past the bound");

      int current = cluster.awaitLeader(GROUP, WAIT);
      RaftServer.Division ld = cluster.node(current).raftServer().getDivision(GROUP);
      assertTrue(ld.getRaftLog().getStartIndex() > 1000, "the leader's log was purged");
      for (int i = 0; i < 3; i++) {
        if (i != down) {
          assertTrue(
              snapshotFiles(cluster, i) <= 4,
              "old snapshots removed (at most 2 files + their MD5s) on n" + (i + 1));
        }
      }

      cluster.start(down);
      long target = ld.getRaftLog().getLastCommittedIndex();
      RaftServer.Division lg = cluster.node(down).raftServer().getDivision(GROUP);
      Poll.until(
          "the replica that was down catches up",
          WAIT,
          () -> lg.getInfo().getLastAppliedIndex() >= target);
      KvStateMachine sm = (KvStateMachine) lg.getStateMachine();
      assertEquals(LifeCycle.State.RUNNING, sm.getLifeCycleState());
      assertTrue(sm.getLatestSnapshot() != null, "it received a snapshot");
      try (KvClient viaDown = cluster.clientOf(down)) {
        for (int k = 0; k < KEYS; k++) {
          int last = WRITES - KEYS + k;
          Arrays.fill(value, (byte) last);
          assertArrayEquals(
              value, viaDown.get(("k" + (last % KEYS)).getBytes(UTF_8)).orElseThrow().value());
        }
      }
    }
  }

  /** [writes, max log bytes, max snapshot bytes, max log + snapshot bytes] over running nodes. */
  private static long[] sample(InJvmCluster cluster, int down, long writes) {
    long[] s = {writes, 0, 0, 0};
    for (int i = 0; i < 3; i++) {
      if (i == down) {
        continue;
      }
      GroupStatus g = Groups.partition(cluster.node(i).status(), 0);
      s[1] = Math.max(s[1], g.getLogBytes());
      s[2] = Math.max(s[2], g.getSnapshotBytes());
      s[3] = Math.max(s[3], g.getLogBytes() + g.getSnapshotBytes());
    }
    return s;
  }

  private static long snapshotFiles(InJvmCluster cluster, int node) throws IOException {
    Path sm =
        cluster
            .node(node)
            .raftServer()
            .getDivision(GROUP)
            .getRaftStorage()
            .getStorageDir()
            .getStateMachineDir()
            .toPath();
    try (Stream<Path> s = Files.list(sm)) {
      return s.filter(f -> f.getFileName().toString().startsWith("snapshot.")).count();
    }
  }
}

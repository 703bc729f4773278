package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.KvClient;
import io.kvstore.raft.server.PartitionGroups;
import io.kvstore.raft.statemachine.KvStateMachine;
import io.kvstore.raft.testing.Groups;
import io.kvstore.raft.testing.InJvmCluster;
import io.kvstore.raft.testing.Poll;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that missed more than the leader still has in its log must receive a snapshot, load it
 * through the pause/reinitialize lifecycle, and keep applying afterwards.
 */
@Timeout(240)
class SnapshotInstallIT {
  static final RaftGroupId GROUP = PartitionGroups.groupId(0);
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  @Test
  void laggingReplica_receivesSnapshotAndKeepsApplying() throws IOException {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "1");
    p.setProperty("raft.snapshot.auto-trigger-entries", "100");
    p.setProperty("raft.log.segment-size-mb", "1");
    p.setProperty("ratis.raft.server.log.purge.gap", "1");
    p.setProperty("ratis.raft.server.log.purge.upto.snapshot.index", "true");
    // No margin of entries kept behind the snapshot: the replica must need the snapshot.
    p.setProperty("raft.log.purge-margin-entries", "0");
    try (InJvmCluster cluster = new InJvmCluster(dir, 3, p).startAll();
        KvClient client = cluster.client()) {
      client.put("warm".getBytes(UTF_8), "up".getBytes(UTF_8));
      int leader = cluster.awaitLeader(GROUP, WAIT);
      int lagging = (leader + 1) % 3;
      cluster.stop(lagging);
      long stoppedAt = Groups.partition(cluster.node(leader).status(), 0).getCommitIndex();

      byte[] value = new byte[8 * 1024];
      for (int i = 0; i < 600; i++) {
        Arrays.fill(value, (byte) i);
        client.put(("k" + i).getBytes(UTF_8), value);
      }
      int current = cluster.awaitLeader(GROUP, WAIT);
      RaftServer.Division ld = cluster.node(current).raftServer().getDivision(GROUP);
      Poll.until(
          "leader log purged past the lagging replica",
          WAIT,
          () -> ld.getRaftLog().getStartIndex() > stoppedAt + 1);

      cluster.start(lagging);
      long target = ld.getRaftLog().getLastCommittedIndex();
      RaftServer.Division lg = cluster.node(lagging).raftServer().getDivision(GROUP);
      Poll.until(
          "lagging replica catches up", WAIT, () -> lg.getInfo().getLastAppliedIndex() >= target);
      KvStateMachine sm = (KvStateMachine) lg.getStateMachine();
      assertEquals(LifeCycle.State.RUNNING, sm.getLifeCycleState());
      assertTrue(sm.getLatestSnapshot() != null, "a snapshot was installed");

      client.put("after".getBytes(UTF_8), "install".getBytes(UTF_8));
      try (KvClient viaLagging = cluster.clientOf(lagging)) {
        for (int i = 0; i < 600; i++) {
          Arrays.fill(value, (byte) i);
          assertArrayEquals(value, viaLagging.get(("k" + i).getBytes(UTF_8)).orElseThrow().value());
        }
        assertArrayEquals(
            "install".getBytes(UTF_8),
            viaLagging.get("after".getBytes(UTF_8)).orElseThrow().value());
      }
    }
  }
}

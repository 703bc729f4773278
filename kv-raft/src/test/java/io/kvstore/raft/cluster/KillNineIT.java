package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.Consistency;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.raft.testing.DirectKv;
import io.kvstore.raft.testing.Groups;
import io.kvstore.raft.testing.Poll;
import io.kvstore.raft.testing.ProcessCluster;
import io.kvstore.raft.testing.WriteLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate node processes; {@code kill -9} the node leading partition 0 in the middle of a write
 * load over all partitions, restart it, and check that it catches up in every partition and that
 * every acknowledged write is there — each one read back from the restarted node itself.
 */
@Timeout(300)
class KillNineIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  @Test
  void leaderKilledUnderLoad_restartsCatchesUpAndLosesNoAcknowledgedWrite() throws Exception {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "8");
    try (ProcessCluster cluster = new ProcessCluster(dir, 3, p).startAll();
        KvClient client = cluster.client()) {
      int victim = cluster.awaitLeader(client, 0, WAIT);
      WriteLoad load = new WriteLoad(client, 32, 50_000, Duration.ofSeconds(90)).start();
      Poll.until("200 writes acknowledged", WAIT, () -> load.ackedCount() >= 200);

      cluster.kill9(victim);
      int before = load.ackedCount();
      Poll.until(
          "writes resume without the killed node", WAIT, () -> load.ackedCount() >= before + 300);
      cluster.start(victim);
      int beforeRestart = load.ackedCount();
      Poll.until(
          "writes continue after restart", WAIT, () -> load.ackedCount() >= beforeRestart + 300);
      Map<String, Long> acked = load.stopAndGetAcked();

      Poll.until(
          "restarted node applies up to every leader's commit index",
          WAIT,
          () -> caughtUp(cluster, client, victim, 8));

      List<String> missing = new ArrayList<>();
      try (DirectKv direct = new DirectKv(cluster.spec().clientEndpoint(victim))) {
        for (Map.Entry<String, Long> e : acked.entrySet()) {
          GetResponse r = direct.get(e.getKey().getBytes(UTF_8), Consistency.ANY);
          if (!r.getFound()
              || !r.getValue().toStringUtf8().equals(WriteLoad.valueOf(e.getKey()))
              || r.getVersion() != e.getValue()) {
            missing.add(e.getKey());
          }
        }
      }
      assertEquals(
          List.of(), missing, "acknowledged writes missing or wrong on the restarted node");
      assertTrue(acked.size() >= 800, "load made progress: " + acked.size());
      System.out.printf(
          "kill -9 test: %d writes acknowledged, %d failed, all %d verified on the restarted node%n",
          acked.size(), load.failedCount(), acked.size());
    }
  }

  private static boolean caughtUp(ProcessCluster cluster, KvClient client, int node, int parts) {
    ClusterStatusResponse mine = cluster.status(client, node);
    for (int p = 0; p < parts; p++) {
      GroupStatus g = Groups.partition(mine, p);
      int leader = cluster.leader(client, p);
      if (g == null || leader < 0) {
        return false;
      }
      GroupStatus lg = Groups.partition(cluster.status(client, leader), p);
      if (lg == null || g.getAppliedIndex() < lg.getCommitIndex()) {
        return false;
      }
    }
    return true;
  }
}

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate node processes under a write load over all partitions; round after round a node — the
 * leader of partition 0 first, then a random one — gets {@code kill -9} at a random moment and is
 * restarted. At the end every node must hold every acknowledged write (each one read back from each
 * node's own replica) and every store must have reopened.
 *
 * <p>Rounds: {@code -Dkvstore.kill9.rounds=N} (default 2 in the test suite; the durability drill
 * runs 25).
 */
@Timeout(3600)
class KillNineIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int PARTITIONS = 8;
  @TempDir Path dir;

  @Test
  void nodesKilledUnderLoad_restartCatchUpAndLoseNoAcknowledgedWrite() throws Exception {
    int rounds = Integer.getInteger("kvstore.kill9.rounds", 2);
    Random random = new Random(Long.getLong("kvstore.kill9.seed", 42));
    Properties p = new Properties();
    p.setProperty("cluster.partitions", Integer.toString(PARTITIONS));
    try (ProcessCluster cluster = new ProcessCluster(dir, 3, p).startAll();
        KvClient client = cluster.client()) {
      int first = cluster.awaitLeader(client, 0, WAIT);
      WriteLoad load =
          new WriteLoad(client, 32, 1_000_000, Duration.ofSeconds(60L + 60L * rounds)).start();
      Poll.until("200 writes acknowledged", WAIT, () -> load.ackedCount() >= 200);
      for (int round = 0; round < rounds; round++) {
        int victim = round == 0 ? first : random.nextInt(3);
        int warm = load.ackedCount() + 50 + random.nextInt(400);
        Poll.until("load before the kill", WAIT, () -> load.ackedCount() >= warm);
        cluster.kill9(victim);
        int before = load.ackedCount();
        Poll.until(
            "writes resume without n" + (victim + 1),
            WAIT,
            () -> load.ackedCount() >= before + 200);
        cluster.start(victim);
        awaitCaughtUp(cluster, client, victim, PARTITIONS);
      }
      Map<String, Long> acked = load.stopAndGetAcked();
      for (int node = 0; node < 3; node++) {
        awaitCaughtUp(cluster, client, node, PARTITIONS);
        List<String> missing = missingOn(cluster, node, acked);
        assertEquals(List.of(), missing, "acknowledged writes missing or wrong on n" + (node + 1));
      }
      assertTrue(acked.size() >= 500, "load made progress: " + acked.size());
      long setAside = countSetAsideStores();
      System.out.printf(
          "kill -9 drill: %d rounds, %d writes acknowledged, %d failed or indeterminate, all"
              + " verified on each of 3 nodes; stores set aside and rebuilt: %d%n",
          rounds, acked.size(), load.failedCount(), setAside);
    }
  }

  /**
   * A node killed with a long log between its latest snapshot and its store's last commit takes a
   * snapshot of the reopened store on start instead of having Ratis read that log again, and loses
   * nothing; a second kill -9 restarts from that snapshot.
   */
  @Test
  void restartWithLongLogBehindStore_snapshotsOnStartAndLosesNothing() throws Exception {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "1");
    p.setProperty("raft.snapshot.restart-replay-mb", "1");
    p.setProperty("raft.log.segment-size-mb", "1");
    p.setProperty("storage.commit-every-entries", "20");
    try (ProcessCluster cluster = new ProcessCluster(dir, 3, p).startAll();
        KvClient client = cluster.client()) {
      int leader = cluster.awaitLeader(client, 0, WAIT);
      int victim = (leader + 1) % 3;
      WriteLoad load = new WriteLoad(client, 32, 1_000_000, Duration.ofSeconds(240)).start();
      Poll.until(
          "12,000 writes acknowledged", WAIT.multipliedBy(3), () -> load.ackedCount() >= 12_000);
      for (int round = 0; round < 2; round++) {
        cluster.kill9(victim);
        int before = load.ackedCount();
        Poll.until(
            "writes go on without the killed node", WAIT, () -> load.ackedCount() >= before + 200);
        cluster.start(victim);
        awaitCaughtUp(cluster, client, victim, 1);
      }
      Map<String, Long> acked = load.stopAndGetAcked();
      for (int node = 0; node < 3; node++) {
        awaitCaughtUp(cluster, client, node, 1);
        assertEquals(
            List.of(),
            missingOn(cluster, node, acked),
            "acknowledged writes missing or wrong on n" + (node + 1));
      }
      String log = Files.readString(cluster.log(victim));
      assertTrue(
          log.contains("on start in"),
          "n"
              + (victim + 1)
              + " took no snapshot on start; its log ends with:\n"
              + log.substring(Math.max(0, log.length() - 2000)));
      System.out.printf(
          "restart with a long log: %d writes acknowledged, all verified on each of 3 nodes%n",
          acked.size());
    }
  }

  private static List<String> missingOn(ProcessCluster cluster, int node, Map<String, Long> acked) {
    List<String> missing = new ArrayList<>();
    try (DirectKv direct = new DirectKv(cluster.spec().clientEndpoint(node))) {
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        GetResponse r = direct.get(e.getKey().getBytes(UTF_8), Consistency.ANY);
        if (!r.getFound()
            || !r.getValue().toStringUtf8().equals(WriteLoad.valueOf(e.getKey()))
            || r.getVersion() != e.getValue()) {
          missing.add(e.getKey());
        }
      }
    }
    return missing;
  }

  /** Partition stores that did not reopen after a kill and were rebuilt from snapshot + log. */
  private long countSetAsideStores() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(x -> x.getFileName().toString().startsWith("corrupt-")).count();
    }
  }

  /**
   * Takes every partition leader's commit index first, then waits until {@code node} has applied up
   * to it: under a running load the target must be fixed before polling, or it keeps moving.
   */
  private static void awaitCaughtUp(
      ProcessCluster cluster, KvClient client, int node, int partitions) {
    long[] target =
        Poll.value(
            "a leader for every partition",
            WAIT,
            () -> {
              long[] commits = new long[partitions];
              for (int p = 0; p < partitions; p++) {
                int leader = cluster.leader(client, p);
                GroupStatus lg =
                    leader < 0 ? null : Groups.partition(cluster.status(client, leader), p);
                if (lg == null) {
                  return null;
                }
                commits[p] = lg.getCommitIndex();
              }
              return commits;
            });
    Poll.until(
        "n" + (node + 1) + " applies up to the leaders' commit indexes",
        WAIT,
        () -> {
          ClusterStatusResponse mine = cluster.status(client, node);
          for (int p = 0; p < partitions; p++) {
            GroupStatus g = Groups.partition(mine, p);
            if (g == null || g.getAppliedIndex() < target[p]) {
              return false;
            }
          }
          return true;
        });
  }
}

package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.raft.testing.Poll;
import io.kvstore.raft.testing.ProcessCluster;
import io.kvstore.raft.testing.WriteLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate node processes; {@code kill -9} the leader in the middle of a write load, restart it,
 * and check that it catches up and that every acknowledged write is there — each one read back
 * through the restarted node.
 */
@Timeout(300)
class KillNineIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  @Test
  void leaderKilledUnderLoad_restartsCatchesUpAndLosesNoAcknowledgedWrite() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(dir, 3, new Properties()).startAll();
        KvClient client = cluster.client()) {
      int victim = cluster.awaitLeader(client, WAIT);
      WriteLoad load = new WriteLoad(client, 32, 50_000, Duration.ofSeconds(60)).start();
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

      int leader = cluster.awaitLeader(client, WAIT);
      long commit = cluster.status(client, leader).getGroups(0).getCommitIndex();
      Poll.until(
          "restarted node applies up to the leader's commit index",
          WAIT,
          () -> {
            ClusterStatusResponse s = cluster.status(client, victim);
            return s != null
                && s.getGroupsCount() == 1
                && s.getGroups(0).getAppliedIndex() >= commit;
          });

      try (KvClient viaVictim = cluster.clientOf(victim)) {
        List<String> missing = new ArrayList<>();
        List<String> keys = new ArrayList<>(acked.keySet());
        for (int from = 0; from < keys.size(); from += 256) {
          List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 256));
          List<CompletableFuture<Optional<KeyValue>>> reads = new ArrayList<>();
          for (String k : chunk) {
            reads.add(viaVictim.getAsync(k.getBytes(UTF_8)));
          }
          for (int j = 0; j < chunk.size(); j++) {
            String k = chunk.get(j);
            Optional<KeyValue> kv = reads.get(j).get();
            if (kv.isEmpty()
                || !new String(kv.get().value(), UTF_8).equals(WriteLoad.valueOf(k))
                || kv.get().version() != acked.get(k)) {
              missing.add(k);
            }
          }
        }
        assertEquals(List.of(), missing, "acknowledged writes missing or wrong");
        assertEquals(1, viaVictim.endpoints().size(), "reads were served by the restarted node");
      }
      assertTrue(acked.size() >= 800, "load made progress: " + acked.size());
      System.out.printf(
          "kill -9 test: %d writes acknowledged, %d failed, all %d verified%n",
          acked.size(), load.failedCount(), acked.size());
    }
  }
}

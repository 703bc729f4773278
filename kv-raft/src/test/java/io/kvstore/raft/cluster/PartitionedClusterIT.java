package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.KvTimeoutException;
import io.kvstore.client.KvUnavailableException;
import io.kvstore.client.proto.GroupStatus;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.PartitionEntry;
import io.kvstore.raft.testing.Groups;
import io.kvstore.raft.testing.InJvmCluster;
import io.kvstore.raft.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five nodes in zones a, b, c (n1 a, n2 b, n3 c, n4 a, n5 b), 16 partitions, 3 replicas: keys
 * spread over every partition, replica sets span the three zones, a partition with a majority keeps
 * serving while nodes are down, one without refuses (never answers stale), and after the nodes
 * return every replica catches up and leadership spreads again.
 */
@Timeout(420)
class PartitionedClusterIT {
  static final int PARTITIONS = 16;
  static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir Path dir;

  @Test
  void fiveNodesThreeZones_survivesNodeLossesWithoutStaleAnswers() throws Exception {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", Integer.toString(PARTITIONS));
    InJvmCluster cluster = new InJvmCluster(dir, 5, p);
    cluster.spec().zones(List.of("a", "b", "c"));
    try (cluster;
        KvClient client = cluster.startAll().client()) {
      ClusterMap map = cluster.node(0).clusterMap();
      for (PartitionEntry e : map.partitions()) {
        Set<String> zones = new HashSet<>();
        e.replicas().forEach(r -> zones.add(map.node(r).orElseThrow().zone()));
        assertEquals(3, zones.size(), "partition " + e.id() + " replicas " + e.replicas());
      }

      Map<String, Long> written = writeKeys(client, 10_000);
      assertEquals(10_000, written.size());
      for (int part = 0; part < PARTITIONS; part++) {
        GroupStatus leader = leaderStatus(cluster, part);
        assertTrue(leader.getKeyCount() > 0, "partition " + part + " holds no keys");
      }

      // n3 is the only node of zone c, so it holds a replica of every partition.
      cluster.stop(2);
      for (int part = 0; part < PARTITIONS; part++) {
        client.put(keyIn(map, part, "one-down"), "v".getBytes(UTF_8));
      }

      cluster.stop(0);
      try (KvClient shortClient =
          KvClient.builder()
              .endpoints(
                  List.of(cluster.spec().clientEndpoint(1), cluster.spec().clientEndpoint(3)))
              .timeout(Duration.ofSeconds(4))
              .attemptTimeout(Duration.ofSeconds(2))
              .build()) {
        int served = 0;
        int refused = 0;
        for (int part = 0; part < PARTITIONS; part++) {
          List<String> replicas = map.partition(part).replicas();
          boolean hasMajority = !replicas.contains("n1"); // n3 and n1 are down
          byte[] key = keyIn(map, part, "two-down");
          if (hasMajority) {
            shortClient.put(key, "v".getBytes(UTF_8));
            assertArrayEquals("v".getBytes(UTF_8), shortClient.get(key).orElseThrow().value());
            served++;
          } else {
            assertRefused(() -> shortClient.put(key, "v".getBytes(UTF_8)), part);
            byte[] existing = keyIn(map, part, "one-down");
            assertRefused(() -> shortClient.get(existing), part);
            refused++;
          }
        }
        assertTrue(served > 0 && refused > 0, "served " + served + ", refused " + refused);
      }

      cluster.start(0);
      cluster.start(2);
      Poll.until("every replica catches up", WAIT, () -> allCaughtUp(cluster));
      Poll.until(
          "leaders spread: none leads more than ceil(P/nodes)+1",
          WAIT,
          () -> maxLeadsPerNode(cluster) <= (PARTITIONS + 4) / 5 + 1);

      List<String> wrong = new ArrayList<>();
      List<CompletableFuture<Void>> reads = new ArrayList<>();
      for (Map.Entry<String, Long> e : written.entrySet()) {
        reads.add(
            client
                .getAsync(e.getKey().getBytes(UTF_8))
                .thenAccept(
                    kv -> {
                      if (kv.isEmpty() || kv.get().version() != e.getValue()) {
                        synchronized (wrong) {
                          wrong.add(e.getKey());
                        }
                      }
                    }));
      }
      CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get();
      assertEquals(List.of(), wrong);
    }
  }

  private static Map<String, Long> writeKeys(KvClient client, int n) throws Exception {
    Map<String, Long> written = new HashMap<>();
    Semaphore permits = new Semaphore(128);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = "key-" + i;
      permits.acquire();
      all.add(
          client
              .putAsync(key.getBytes(UTF_8), ("value-" + i).getBytes(UTF_8))
              .thenAccept(
                  v -> {
                    synchronized (written) {
                      written.put(key, v);
                    }
                  })
              .whenComplete((v, e) -> permits.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    return written;
  }

  private static byte[] keyIn(ClusterMap map, int partition, String prefix) {
    for (int i = 0; ; i++) {
      byte[] k = (prefix + "-" + i).getBytes(UTF_8);
      if (map.partitionOf(k) == partition) {
        return k;
      }
    }
  }

  private static void assertRefused(Runnable op, int partition) {
    try {
      op.run();
      fail("partition " + partition + " without a majority answered");
    } catch (KvException e) {
      assertTrue(
          e instanceof KvUnavailableException || e instanceof KvTimeoutException,
          "partition " + partition + ": " + e);
    }
  }

  private static GroupStatus leaderStatus(InJvmCluster cluster, int partition) {
    return Poll.value(
        "leader of partition " + partition,
        WAIT,
        () -> {
          for (int i = 0; i < cluster.size(); i++) {
            if (cluster.node(i) == null) {
              continue;
            }
            GroupStatus g = Groups.partition(cluster.node(i).status(), partition);
            if (g != null && g.getRole().equals("LEADER")) {
              return g;
            }
          }
          return null;
        });
  }

  private static boolean allCaughtUp(InJvmCluster cluster) {
    for (int part = 0; part < PARTITIONS; part++) {
      long commit = leaderStatus(cluster, part).getCommitIndex();
      for (int i = 0; i < cluster.size(); i++) {
        GroupStatus g = Groups.partition(cluster.node(i).status(), part);
        if (g != null && g.getAppliedIndex() < commit) {
          return false;
        }
      }
    }
    return true;
  }

  private static int maxLeadsPerNode(InJvmCluster cluster) {
    int max = 0;
    for (int i = 0; i < cluster.size(); i++) {
      int leads = 0;
      for (GroupStatus g : cluster.node(i).status().getGroupsList()) {
        if (!g.getMeta() && g.getRole().equals("LEADER")) {
          leads++;
        }
      }
      max = Math.max(max, leads);
    }
    return max;
  }
}

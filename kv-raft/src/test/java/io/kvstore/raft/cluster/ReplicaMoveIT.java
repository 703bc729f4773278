package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.KvClient;
import io.kvstore.client.proto.Consistency;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.MapStore;
import io.kvstore.raft.server.NodeConfig;
import io.kvstore.raft.server.NodeStartException;
import io.kvstore.raft.server.PartitionGroups;
import io.kvstore.raft.server.ReplicaMover;
import io.kvstore.raft.testing.DirectKv;
import io.kvstore.raft.testing.InJvmCluster;
import io.kvstore.raft.testing.Poll;
import io.kvstore.raft.testing.WriteLoad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes bootstrap a cluster, a fourth joins it holding nothing, and a replica of a partition
 * moves from n1 to n4 with Raft membership changes: under a write load, after an interruption of
 * the mover between adding n4 as a listener and promoting it, and with n1 down when it should
 * remove its replica.
 */
@Timeout(300)
class ReplicaMoveIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int N1 = 0;
  static final int N4 = 3;
  @TempDir Path dir;

  /** Small partitions that snapshot and purge their log often, so n4 needs a snapshot. */
  static Properties props() {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "4");
    p.setProperty("raft.snapshot.auto-trigger-entries", "200");
    p.setProperty("raft.log.segment-size-mb", "1");
    p.setProperty("raft.log.purge-margin-entries", "0");
    p.setProperty("ratis.raft.server.log.purge.gap", "1");
    p.setProperty("ratis.raft.server.log.purge.upto.snapshot.index", "true");
    return p;
  }

  /** n1-n3 bootstrap, n4 joins; returns once every node knows n4. */
  static InJvmCluster startWithJoiner(Path dir) {
    return startWithJoiner(dir, false);
  }

  /**
   * @param tryBootstrapFirst start n4 without cluster.join first, which must fail with a hint
   */
  static InJvmCluster startWithJoiner(Path dir, boolean tryBootstrapFirst) {
    InJvmCluster cluster = new InJvmCluster(dir, 4, props());
    cluster.spec().initialNodes(3);
    for (int i = 0; i < 3; i++) {
      cluster.start(i);
    }
    if (tryBootstrapFirst) {
      Properties p = cluster.spec().properties(N4);
      p.remove("cluster.join");
      NodeStartException e =
          assertThrows(
              NodeStartException.class, () -> KvNode.start(NodeConfig.fromProperties(p)).close());
      assertTrue(e.getMessage().contains("cluster.join=true"), e.getMessage());
    }
    cluster.start(N4);
    for (int i = 0; i < 4; i++) {
      int n = i;
      Poll.until(
          "node " + (n + 1) + " knows n4",
          WAIT,
          () -> cluster.node(n).clusterMap().node("n4").isPresent());
    }
    assertTrue(cluster.node(N4).clusterMap().partitionsOf("n4").isEmpty(), "n4 joins empty");
    return cluster;
  }

  /** A partition whose preferred leader is n1 (so the move also hands leadership away). */
  static int partitionLedBy(ClusterMap map, String node) {
    for (int p = 0; p < map.partitionCount(); p++) {
      if (map.partition(p).preferredLeader().equals(node)) {
        return p;
      }
    }
    throw new AssertionError("no partition prefers " + node);
  }

  static List<String> keysOf(ClusterMap map, int p, String prefix, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; out.size() < count; i++) {
      String k = prefix + i;
      if (map.partitionOf(k.getBytes(UTF_8)) == p) {
        out.add(k);
      }
    }
    return out;
  }

  @Test
  void moveUnderWriteLoad_keepsEveryAckedWrite_removesSource_advancesMap() throws IOException {
    try (InJvmCluster cluster = startWithJoiner(dir, true);
        KvClient client = cluster.client();
        KvClient staleClient = cluster.client()) {
      ClusterMap before = cluster.node(N1).clusterMap();
      int p = partitionLedBy(before, "n1");
      RaftGroupId gid = PartitionGroups.groupId(p);
      List<String> probe = keysOf(before, p, "probe-", 20);
      // The stale client caches the map before the move.
      staleClient.put(probe.get(0).getBytes(UTF_8), "before".getBytes(UTF_8));

      try (WriteLoad load = new WriteLoad(client, 8, 1_000_000, Duration.ofSeconds(120)).start();
          MapStore store = MapStore.connect(before)) {
        Poll.until("writes before the move", WAIT, () -> load.ackedCount() >= 1000);
        ClusterMap after = new ReplicaMover(store).move(p, "n1", "n4");
        int ackedAtMove = load.ackedCount();
        Poll.until("writes after the move", WAIT, () -> load.ackedCount() >= ackedAtMove + 300);
        Map<String, Long> acked = load.stopAndGetAcked();

        assertEquals(before.epoch() + 1, after.epoch(), "one map change for the move");
        List<String> expected = new ArrayList<>(before.partition(p).replicas());
        expected.set(expected.indexOf("n1"), "n4");
        assertEquals(expected, after.partition(p).replicas());
        for (int i = 0; i < 4; i++) {
          int n = i;
          Poll.until(
              "node " + (n + 1) + " follows map epoch " + after.epoch(),
              WAIT,
              () -> cluster.node(n).clusterMap().epoch() == after.epoch());
        }

        assertFalse(hosts(cluster, N1, gid), "n1 no longer hosts the group");
        Path n1Dir = cluster.spec().dataDir(N1).resolve("raft").resolve(gid.getUuid().toString());
        assertFalse(Files.exists(n1Dir), "n1's group directory is gone: " + n1Dir);
        assertVoters(cluster, gid, expected);

        // Every acknowledged write of the partition, read from n4's own replica.
        awaitCaughtUp(cluster, N4, gid);
        int checked = 0;
        try (DirectKv n4 = new DirectKv(cluster.spec().clientEndpoint(N4))) {
          for (Map.Entry<String, Long> e : acked.entrySet()) {
            if (after.partitionOf(e.getKey().getBytes(UTF_8)) != p) {
              continue;
            }
            GetResponse r = n4.get(e.getKey().getBytes(UTF_8), Consistency.ANY);
            assertTrue(r.getFound(), "acked write " + e.getKey() + " on n4");
            assertEquals(WriteLoad.valueOf(e.getKey()), r.getValue().toStringUtf8());
            checked++;
          }
        }
        assertTrue(checked > 100, "checked " + checked + " writes of partition " + p);
        System.out.printf(
            "replica move under load: %d writes acknowledged (%d at the end of the move), %d"
                + " failed; %d of partition %d read back from n4; map epoch %d -> %d%n",
            acked.size(),
            ackedAtMove,
            load.failedCount(),
            checked,
            p,
            before.epoch(),
            after.epoch());
      }

      // Routing: a client that only knows one node, for every node, and a client whose map
      // predates the move.
      for (int i = 0; i < 4; i++) {
        try (KvClient one = cluster.clientOf(i)) {
          byte[] k = probe.get(1 + i).getBytes(UTF_8);
          one.put(k, ("via-" + i).getBytes(UTF_8));
          assertArrayEquals(("via-" + i).getBytes(UTF_8), one.get(k).orElseThrow().value());
        }
      }
      staleClient.put(probe.get(0).getBytes(UTF_8), "after".getBytes(UTF_8));
      assertArrayEquals(
          "after".getBytes(UTF_8),
          staleClient.get(probe.get(0).getBytes(UTF_8)).orElseThrow().value());
    }
  }

  @Test
  void moverInterruptedAfterAddingListener_isResumedByAnotherMover() throws IOException {
    try (InJvmCluster cluster = startWithJoiner(dir);
        KvClient client = cluster.client()) {
      ClusterMap before = cluster.node(N1).clusterMap();
      int p = partitionLedBy(before, "n1");
      RaftGroupId gid = PartitionGroups.groupId(p);
      List<String> keys = keysOf(before, p, "k-", 300);
      for (String k : keys) {
        client.put(k.getBytes(UTF_8), ("v-" + k).getBytes(UTF_8));
      }
      try (MapStore store = MapStore.connect(before)) {
        List<ReplicaMover.Step> first = new ArrayList<>();
        ReplicaMover interrupted =
            new ReplicaMover(store)
                .onStep(
                    s -> {
                      first.add(s);
                      if (s == ReplicaMover.Step.CATCH_UP) {
                        throw new IllegalStateException("mover crashed");
                      }
                    });
        assertThrows(IllegalStateException.class, () -> interrupted.move(p, "n1", "n4"));
        assertEquals(
            List.of(
                ReplicaMover.Step.HOST_ON_TARGET,
                ReplicaMover.Step.ADD_LISTENER,
                ReplicaMover.Step.CATCH_UP),
            first);
        // Between the steps: n4 is a listener, n1 still a voter, the map unchanged.
        int leader = cluster.awaitLeader(gid, WAIT);
        RaftServer.Division ld = cluster.node(leader).raftServer().getDivision(gid);
        assertTrue(
            ld.getRaftConf().getPeer(RaftPeerId.valueOf("n4"), RaftPeerRole.LISTENER) != null,
            "n4 is a listener");
        assertTrue(
            ld.getRaftConf().getPeer(RaftPeerId.valueOf("n1"), RaftPeerRole.FOLLOWER) != null,
            "n1 still votes");
        assertEquals(before.epoch(), store.read().map().epoch());
        assertTrue(hosts(cluster, N4, gid), "n4 keeps its listener replica meanwhile");

        List<ReplicaMover.Step> second = new ArrayList<>();
        ClusterMap after = new ReplicaMover(store).onStep(second::add).move(p, "n1", "n4");
        assertFalse(second.contains(ReplicaMover.Step.HOST_ON_TARGET), "resumed: " + second);
        assertFalse(second.contains(ReplicaMover.Step.ADD_LISTENER), "resumed: " + second);
        assertTrue(second.contains(ReplicaMover.Step.PROMOTE), "resumed: " + second);
        assertEquals(before.epoch() + 1, after.epoch());
        assertTrue(after.partition(p).replicas().contains("n4"));
        assertFalse(after.partition(p).replicas().contains("n1"));

        // Running it once more changes nothing.
        assertEquals(after, new ReplicaMover(store).move(p, "n1", "n4"));
      }
      assertFalse(hosts(cluster, N1, gid), "n1 no longer hosts the group");
      awaitCaughtUp(cluster, N4, gid);
      try (DirectKv n4 = new DirectKv(cluster.spec().clientEndpoint(N4))) {
        for (String k : keys) {
          GetResponse r = n4.get(k.getBytes(UTF_8), Consistency.ANY);
          assertTrue(r.getFound(), k + " on n4");
          assertEquals("v-" + k, r.getValue().toStringUtf8());
        }
      }
    }
  }

  @Test
  void sourceDownDuringRemoval_removesItsReplicaWhenBackByTheMap() throws IOException {
    try (InJvmCluster cluster = startWithJoiner(dir);
        KvClient client = cluster.client()) {
      ClusterMap before = cluster.node(N1).clusterMap();
      // A partition n1 holds but does not prefer to lead (the other tests move one it leads).
      int part =
          before.partitionsOf("n1").stream()
              .filter(x -> !before.partition(x).preferredLeader().equals("n1"))
              .findFirst()
              .orElse(before.partitionsOf("n1").get(0));
      RaftGroupId gid = PartitionGroups.groupId(part);
      for (String k : keysOf(before, part, "d-", 50)) {
        client.put(k.getBytes(UTF_8), k.getBytes(UTF_8));
      }
      ClusterMap after;
      try (MapStore store = MapStore.connect(before)) {
        ReplicaMover mover =
            new ReplicaMover(
                    store, new ReplicaMover.Settings(Duration.ofMinutes(2), Duration.ofSeconds(10)))
                .onStep(
                    s -> {
                      if (s == ReplicaMover.Step.REMOVE_SOURCE) {
                        cluster.stop(N1);
                      }
                    });
        after = mover.move(part, "n1", "n4");
      }
      assertFalse(after.partition(part).replicas().contains("n1"));
      Path n1Dir = cluster.spec().dataDir(N1).resolve("raft").resolve(gid.getUuid().toString());
      assertTrue(Files.exists(n1Dir), "n1 was down: its directory is still there");

      // n1 comes back with the old map and the removed group; it learns the new map from the
      // meta group and removes the replica that neither the map nor the group holds.
      cluster.start(N1);
      Poll.until(
          "n1 follows map epoch " + after.epoch(),
          WAIT,
          () -> cluster.node(N1).clusterMap().epoch() == after.epoch());
      Poll.until("n1 removes its replica", WAIT, () -> !hosts(cluster, N1, gid));
      Poll.until("n1's directory is deleted", WAIT, () -> !Files.exists(n1Dir));
      for (int i = 0; i < 3; i++) {
        try (KvClient one = cluster.clientOf(i)) {
          String k = keysOf(after, part, "after-" + i + "-", 1).get(0);
          one.put(k.getBytes(UTF_8), k.getBytes(UTF_8));
          assertArrayEquals(k.getBytes(UTF_8), one.get(k.getBytes(UTF_8)).orElseThrow().value());
        }
      }
    }
  }

  @Test
  void targetRestartedWhileCatchingUp_moveCompletes() throws IOException {
    try (InJvmCluster cluster = startWithJoiner(dir);
        KvClient client = cluster.client()) {
      ClusterMap before = cluster.node(N1).clusterMap();
      int p = partitionLedBy(before, "n2");
      String from = before.partition(p).replicas().get(1);
      RaftGroupId gid = PartitionGroups.groupId(p);
      List<String> keys = keysOf(before, p, "r-", 200);
      for (String k : keys) {
        client.put(k.getBytes(UTF_8), k.getBytes(UTF_8));
      }
      boolean[] restarted = {false};
      ClusterMap after;
      try (MapStore store = MapStore.connect(before)) {
        after =
            new ReplicaMover(store)
                .onStep(
                    s -> {
                      if (s == ReplicaMover.Step.CATCH_UP && !restarted[0]) {
                        restarted[0] = true;
                        cluster.stop(N4);
                        cluster.start(N4);
                      }
                    })
                .move(p, from, "n4");
      }
      assertTrue(restarted[0]);
      assertTrue(after.partition(p).replicas().contains("n4"));
      assertFalse(after.partition(p).replicas().contains(from));
      assertTrue(hosts(cluster, N4, gid), "n4 kept its replica across the restart");
      awaitCaughtUp(cluster, N4, gid);
      try (DirectKv n4 = new DirectKv(cluster.spec().clientEndpoint(N4))) {
        for (String k : keys) {
          assertEquals(k, n4.get(k.getBytes(UTF_8), Consistency.ANY).getValue().toStringUtf8());
        }
      }
    }
  }

  @Test
  void addReplica_growsTheGroupToFourVoters() throws IOException {
    try (InJvmCluster cluster = startWithJoiner(dir);
        KvClient client = cluster.client()) {
      ClusterMap before = cluster.node(N1).clusterMap();
      int p = 1;
      RaftGroupId gid = PartitionGroups.groupId(p);
      List<String> keys = keysOf(before, p, "a-", 100);
      for (String k : keys) {
        client.put(k.getBytes(UTF_8), k.getBytes(UTF_8));
      }
      ClusterMap after;
      try (MapStore store = MapStore.connect(before)) {
        after = new ReplicaMover(store).addReplica(p, "n4");
        IllegalArgumentException again =
            assertThrows(
                IllegalArgumentException.class, () -> new ReplicaMover(store).move(p, "n2", "n3"));
        assertTrue(again.getMessage().contains("already holds"), again.getMessage());
      }
      List<String> expected = new ArrayList<>(before.partition(p).replicas());
      expected.add("n4");
      assertEquals(expected, after.partition(p).replicas());
      assertEquals(before.epoch() + 1, after.epoch());
      assertVoters(cluster, gid, expected);
      awaitCaughtUp(cluster, N4, gid);
      try (DirectKv n4 = new DirectKv(cluster.spec().clientEndpoint(N4))) {
        for (String k : keys) {
          assertEquals(k, n4.get(k.getBytes(UTF_8), Consistency.ANY).getValue().toStringUtf8());
        }
      }
    }
  }

  static boolean hosts(InJvmCluster cluster, int i, RaftGroupId gid) {
    for (RaftGroupId g : cluster.node(i).raftServer().getGroupIds()) {
      if (g.equals(gid)) {
        return true;
      }
    }
    return false;
  }

  /** The leader's voters are exactly {@code ids}. */
  static void assertVoters(InJvmCluster cluster, RaftGroupId gid, List<String> ids)
      throws IOException {
    int leader = cluster.awaitLeader(gid, WAIT);
    RaftServer.Division d = cluster.node(leader).raftServer().getDivision(gid);
    List<String> voters = new ArrayList<>();
    d.getRaftConf().getCurrentPeers().forEach(x -> voters.add(x.getId().toString()));
    voters.sort(null);
    List<String> want = new ArrayList<>(ids);
    want.sort(null);
    assertEquals(want, voters);
    assertTrue(d.getRaftConf().getAllPeers(RaftPeerRole.LISTENER).isEmpty(), "no listener left");
  }

  /** Waits until node {@code i} has applied the leader's current commit index. */
  static void awaitCaughtUp(InJvmCluster cluster, int i, RaftGroupId gid) throws IOException {
    int leader = cluster.awaitLeader(gid, WAIT);
    long commit =
        cluster.node(leader).raftServer().getDivision(gid).getRaftLog().getLastCommittedIndex();
    RaftServer.Division d = cluster.node(i).raftServer().getDivision(gid);
    Poll.until(
        "node " + (i + 1) + " applies index " + commit,
        WAIT,
        () -> d.getInfo().getLastAppliedIndex() >= commit);
  }
}

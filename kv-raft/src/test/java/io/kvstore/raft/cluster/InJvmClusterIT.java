package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvstore.client.DeleteResult;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.raft.server.PartitionGroups;
import io.kvstore.raft.testing.DirectKv;
import io.kvstore.raft.testing.Groups;
import io.kvstore.raft.testing.InJvmCluster;
import io.kvstore.raft.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class InJvmClusterIT {
  static final RaftGroupId GROUP = PartitionGroups.groupId(0);
  static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void putGetDelete_roundTripThroughAnyNode() {
    try (InJvmCluster cluster = new InJvmCluster(dir, 3).startAll();
        KvClient client = cluster.client()) {
      long v1 = client.put(b("alpha"), b("one"));
      assertTrue(v1 > 0);
      KeyValue kv = client.get(b("alpha")).orElseThrow();
      assertArrayEquals(b("one"), kv.value());
      assertEquals(v1, kv.version());
      assertEquals(v1, kv.createVersion());

      long v2 = client.put(b("alpha"), b("two"));
      assertTrue(v2 > v1);
      KeyValue again = client.get(b("alpha")).orElseThrow();
      assertEquals(v2, again.version());
      assertEquals(v1, again.createVersion());

      DeleteResult d = client.delete(b("alpha"));
      assertTrue(d.deleted());
      assertEquals(Optional.empty(), client.get(b("alpha")));
      assertFalse(client.delete(b("alpha")).deleted());
    }
  }

  @Test
  void invalidInput_isRefusedAndChangesNothing() {
    try (InJvmCluster cluster = new InJvmCluster(dir, 3).startAll();
        KvClient client = cluster.client()) {
      client.put(b("k"), b("v"));
      assertThrows(KvInvalidArgumentException.class, () -> client.put(new byte[0], b("v")));
      assertThrows(KvInvalidArgumentException.class, () -> client.put(new byte[1025], b("v")));
      assertThrows(
          KvInvalidArgumentException.class, () -> client.put(b("k"), new byte[(1 << 20) + 1]));
      assertArrayEquals(b("v"), client.get(b("k")).orElseThrow().value());
      long version = client.get(b("k")).orElseThrow().version();
      client.put(b("k2"), new byte[1 << 20]);
      assertEquals(version, client.get(b("k")).orElseThrow().version());
    }
  }

  @Test
  void readThroughFollower_rightAfterWrite_seesTheWrite() {
    try (InJvmCluster cluster = new InJvmCluster(dir, 3, onePartition()).startAll()) {
      int leader = cluster.awaitLeader(GROUP, WAIT);
      int follower = (leader + 1) % 3;
      try (KvClient writer = cluster.client();
          KvClient viaFollower = cluster.clientOf(follower);
          DirectKv direct = new DirectKv(cluster.spec().clientEndpoint(follower))) {
        for (int i = 0; i < 50; i++) {
          byte[] value = b("v" + i);
          long version = writer.put(b("reg"), value);
          KeyValue read = viaFollower.get(b("reg")).orElseThrow();
          assertArrayEquals(value, read.value(), "stale read at " + i);
          assertEquals(version, read.version());
        }
        // The follower itself never answers a linearizable read: it names the leader.
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> direct.get(b("reg")));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals(
            cluster.spec().clientEndpoint(leader),
            Status.trailersFromThrowable(e).get(KvClient.LEADER_KEY));
      }
    }
  }

  static Properties onePartition() {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "1");
    return p;
  }

  @Test
  void leaderStops_writesResumeOnNewLeader() {
    try (InJvmCluster cluster = new InJvmCluster(dir, 3, onePartition()).startAll();
        KvClient client = cluster.client()) {
      client.put(b("before"), b("1"));
      int leader = cluster.awaitLeader(GROUP, WAIT);
      cluster.stop(leader);
      client.put(b("after"), b("2"));
      int newLeader = cluster.awaitLeader(GROUP, WAIT);
      assertTrue(newLeader != leader);
      assertArrayEquals(b("1"), client.get(b("before")).orElseThrow().value());
      assertArrayEquals(b("2"), client.get(b("after")).orElseThrow().value());
      cluster.start(leader);
      Poll.until(
          "old leader catches up",
          WAIT,
          () ->
              Groups.partition(cluster.node(leader).status(), 0).getAppliedIndex()
                  >= Groups.partition(cluster.node(newLeader).status(), 0).getCommitIndex());
    }
  }

  @Test
  void allNodesRestart_dataIntact() {
    InJvmCluster cluster = new InJvmCluster(dir, 3).startAll();
    try (KvClient client = cluster.client()) {
      for (int i = 0; i < 200; i++) {
        client.put(b("key-" + i), b("value-" + i));
      }
      client.delete(b("key-7"));
    }
    cluster.close();
    for (int i = 0; i < 3; i++) {
      cluster.start(i);
    }
    try (KvClient client = cluster.client()) {
      for (int i = 0; i < 200; i++) {
        Optional<KeyValue> kv = client.get(b("key-" + i));
        if (i == 7) {
          assertEquals(Optional.empty(), kv);
        } else {
          assertArrayEquals(b("value-" + i), kv.orElseThrow().value(), "key-" + i);
        }
      }
      client.put(b("after-restart"), b("ok"));
    } finally {
      cluster.close();
    }
  }
}

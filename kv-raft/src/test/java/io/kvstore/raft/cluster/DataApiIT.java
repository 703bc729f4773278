package io.kvstore.raft.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.client.Batch;
import io.kvstore.client.DeleteResult;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.KvInvalidArgumentException;
import io.kvstore.client.PutResult;
import io.kvstore.client.ReadOptions;
import io.kvstore.client.Scan;
import io.kvstore.client.Txns;
import io.kvstore.client.WriteOptions;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnResponse;
import io.kvstore.raft.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The data API on a healthy 3-node cluster with 4 partitions: every operation and condition. */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataApiIT {
  @TempDir static Path dir;
  InJvmCluster cluster;
  KvClient client;

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @BeforeAll
  void start() {
    Properties p = new Properties();
    p.setProperty("cluster.partitions", "4");
    cluster = new InJvmCluster(dir, 3, p).startAll();
    client = cluster.client();
  }

  @AfterAll
  void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void putIfAbsent_appliesOnceThenReportsTheCurrentVersion() {
    PutResult first = client.put(b("ia"), b("1"), WriteOptions.onlyIfAbsent());
    assertTrue(first.applied());
    PutResult second = client.put(b("ia"), b("2"), WriteOptions.onlyIfAbsent());
    assertFalse(second.applied());
    assertEquals(first.version(), second.currentVersion());
    assertArrayEquals(b("1"), client.get(b("ia")).orElseThrow().value());
  }

  @Test
  void putIfVersion_isCompareAndSet() {
    long v1 = client.put(b("cas"), b("a"));
    assertFalse(client.put(b("cas"), b("x"), WriteOptions.onlyIfVersion(v1 + 1000)).applied());
    PutResult ok = client.put(b("cas"), b("b"), WriteOptions.onlyIfVersion(v1));
    assertTrue(ok.applied());
    assertFalse(client.put(b("cas"), b("c"), WriteOptions.onlyIfVersion(v1)).applied());
    KeyValue kv = client.get(b("cas")).orElseThrow();
    assertArrayEquals(b("b"), kv.value());
    assertEquals(ok.version(), kv.version());
  }

  @Test
  void deleteIfVersion_deletesOnlyTheExpectedVersion() {
    long v = client.put(b("dv"), b("a"));
    DeleteResult wrong = client.delete(b("dv"), WriteOptions.onlyIfVersion(v + 5));
    assertFalse(wrong.applied());
    assertEquals(v, wrong.currentVersion());
    DeleteResult right = client.delete(b("dv"), WriteOptions.onlyIfVersion(v));
    assertTrue(right.applied() && right.deleted());
    assertEquals(Optional.empty(), client.get(b("dv")));
  }

  @Test
  void ackAll_reportsEveryReplicaApplied() {
    PutResult r = client.put(b("all"), b("x"), WriteOptions.DEFAULT.withAckAll());
    assertTrue(r.applied());
    assertTrue(r.onAllReplicas());
  }

  @Test
  void txn_transfersBetweenAccountsOfOneHashTagAtomically() {
    byte[] a = b("{cust-1}/checking");
    byte[] c = b("{cust-1}/savings");
    long va = client.put(a, b("100"));
    client.put(c, b("0"));
    TxnResponse ok =
        client.txn(
            List.of(Txns.versionEquals(a, va)),
            List.of(Txns.put(a, b("60")), Txns.put(c, b("40")), Txns.get(c)),
            List.of(Txns.get(a)));
    assertTrue(ok.getSucceeded());
    assertEquals("40", ok.getResults(2).getGet().getValue().toStringUtf8());
    assertEquals(ok.getVersion(), client.get(a).orElseThrow().version());
    assertEquals(ok.getVersion(), client.get(c).orElseThrow().version());
    TxnResponse stale =
        client.txn(
            List.of(Txns.versionEquals(a, va)), List.of(Txns.put(a, b("0"))), List.of(Txns.get(a)));
    assertFalse(stale.getSucceeded());
    assertEquals("60", stale.getResults(0).getGet().getValue().toStringUtf8());
  }

  @Test
  void txn_acrossPartitionsIsRejectedNamingThem() {
    List<TxnOp> ops = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ops.add(Txns.put(b("spread-" + i), b("v")));
    }
    KvInvalidArgumentException e =
        assertThrows(KvInvalidArgumentException.class, () -> client.txn(List.of(), ops, List.of()));
    assertTrue(e.getMessage().contains("spans partitions"), e.getMessage());
    for (int i = 0; i < 20; i++) {
      assertEquals(Optional.empty(), client.get(b("spread-" + i)));
    }
  }

  @Test
  void txn_overTheOperationLimitIsRejected() {
    List<TxnOp> ops = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      ops.add(Txns.put(b("{big}/" + i), b("v")));
    }
    assertThrows(KvInvalidArgumentException.class, () -> client.txn(List.of(), ops, List.of()));
    assertEquals(Optional.empty(), client.get(b("{big}/0")));
  }

  @Test
  void batch_commitsEveryPartitionsShareAndReportsPerPartition() {
    List<TxnOp> ops = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ops.add(Txns.put(b("bulk/" + i), b("v" + i)));
    }
    ops.add(Txns.delete(b("bulk/7")));
    Batch.Result r = client.batch(ops);
    assertTrue(r.allCommitted(), r.toString());
    assertEquals(501, r.committedOps());
    assertTrue(r.partitions().size() > 1);
    assertArrayEquals(b("v499"), client.get(b("bulk/499")).orElseThrow().value());
    assertEquals(Optional.empty(), client.get(b("bulk/7")));
  }

  @Test
  void scanPrefix_returnsKeysInOrderAcrossPartitionsWithContinuation() {
    List<TxnOp> ops = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      ops.add(Txns.put(b(String.format("scan/%03d", i)), b("v" + i)));
    }
    ops.add(Txns.put(b("scam"), b("outside")));
    ops.add(Txns.put(b("scan0"), b("outside")));
    client.batch(ops);
    List<String> seen = new ArrayList<>();
    byte[] after = null;
    do {
      Scan.Page page = client.scanPrefix(b("scan/"), after, 10, ReadOptions.LINEARIZABLE);
      page.entries().forEach(kv -> seen.add(new String(kv.key(), UTF_8)));
      after = page.nextAfter();
    } while (after != null);
    assertEquals(57, seen.size());
    for (int i = 0; i < 57; i++) {
      assertEquals(String.format("scan/%03d", i), seen.get(i));
    }
  }

  @Test
  void getAll_returnsResultsInKeyOrderGiven() {
    client.put(b("m1"), b("1"));
    client.put(b("m3"), b("3"));
    List<Optional<KeyValue>> r =
        client.getAll(List.of(b("m1"), b("m2"), b("m3")), ReadOptions.LINEARIZABLE);
    assertArrayEquals(b("1"), r.get(0).orElseThrow().value());
    assertTrue(r.get(1).isEmpty());
    assertArrayEquals(b("3"), r.get(2).orElseThrow().value());
  }

  @Test
  void everyReadLevel_seesAnAcknowledgedWriteOnAHealthyCluster() {
    long v = client.put(b("levels"), b("x"));
    for (ReadOptions o :
        List.of(
            ReadOptions.LINEARIZABLE,
            ReadOptions.LEASE,
            ReadOptions.bounded(Duration.ofSeconds(5), 1_000_000),
            ReadOptions.ANY)) {
      KeyValue kv = client.get(b("levels"), o).orElseThrow();
      if (o == ReadOptions.LINEARIZABLE || o == ReadOptions.LEASE) {
        assertEquals(v, kv.version(), o.toString());
      } else {
        assertTrue(kv.version() <= v);
      }
    }
  }

  @Test
  void hotCache_servesRepeatedReadsAndStaysExactAcrossWrites() {
    long hitsBefore = cacheHits();
    for (int round = 0; round < 5; round++) {
      byte[] value = b("hot-" + round);
      long v = client.put(b("hot"), value);
      for (int i = 0; i < 20; i++) {
        KeyValue kv = client.get(b("hot")).orElseThrow();
        assertArrayEquals(value, kv.value(), "round " + round + " read " + i);
        assertEquals(v, kv.version());
      }
    }
    assertTrue(cacheHits() > hitsBefore + 50, "repeated reads were served from the cache");
  }

  private long cacheHits() {
    long hits = 0;
    for (int i = 0; i < cluster.size(); i++) {
      hits += cluster.node(i).status().getCache().getHits();
    }
    return hits;
  }

  @Test
  void badInput_isInvalidArgument() {
    assertThrows(KvException.class, () -> client.put(new byte[0], b("v")));
    assertThrows(KvInvalidArgumentException.class, () -> client.put(new byte[1025], b("v")));
    assertThrows(
        KvInvalidArgumentException.class, () -> client.put(b("k"), new byte[(1 << 20) + 1]));
  }
}

package io.kvstore.cli;

import static io.kvstore.cli.CliRun.run;
import static io.kvstore.cli.Expect.oneLineErrorContaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.proto.TxnDelete;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnPut;
import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.command.VersionedValue;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.WriteBatch;
import io.kvstore.raft.admin.BackupManifest;
import io.kvstore.raft.server.PartitionGroups;
import io.kvstore.raft.statemachine.KvStateMachine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup, restore and replica checks end to end on real in-JVM clusters (Ratis over gRPC, MapDB,
 * fsync): cluster A gets many keys (batches, overwrites, deletes, over several partitions); `kv
 * check` finds its replicas equal; `kv snapshot save` backs it up; a replica tampered with directly
 * in its store makes `kv check` fail; a fresh cluster B restored from the backup holds exactly A's
 * keys, values and versions, and new writes on B get higher versions.
 */
class BackupRestoreIT {
  private static final int NODES = 3;
  private static final int PARTITIONS = 4;
  private static final String TIMEOUT = "60s";

  @TempDir Path root;

  @Test
  void saveRestoreRoundTripIsExactAndCheckFindsATamperedReplica() throws Exception {
    Path backup = root.resolve("backup");
    List<LiveWrite> acked;
    ToIntFunction<byte[]> partitionOf;
    Map<String, KeyValue> saved;
    long[] savedIndex = new long[PARTITIONS];
    try (InJvmTestCluster a =
            new InJvmTestCluster(root.resolve("a"), "127.0.205.", NODES, PARTITIONS, i -> "");
        KvClient client =
            KvClient.builder().endpoints(a.endpoints).timeout(Duration.ofSeconds(60)).build()) {
      write(client);
      saved = dump(client);
      assertTrue(saved.size() > 2000, "keys written: " + saved.size());

      CliRun check = run("check", "-e", a.endpoints, "--timeout", TIMEOUT);
      assertEquals(0, check.exitCode(), check.describe());
      assertTrue(check.out().contains("checked 4 partitions: 4 consistent"), check.describe());

      // Writes go on while the backup runs: each to a new key, so its version is its log index.
      LiveWriter live = new LiveWriter(a.endpoints);
      live.start();
      live.awaitFirstWrites();
      CliRun save;
      try {
        save = run("snapshot", "save", backup.toString(), "-e", a.endpoints, "--timeout", TIMEOUT);
      } finally {
        live.stop();
      }
      assertEquals(0, save.exitCode(), save.describe());
      assertTrue(save.out().contains("saved 4 partitions ("), save.describe());
      assertTrue(save.err().contains("partition 3 saved (4 of 4)"), save.describe());

      BackupManifest manifest = BackupManifest.read(backup);
      assertEquals(PARTITIONS, manifest.partitionCount());
      long keys = 0;
      for (BackupManifest.Partition p : manifest.partitions()) {
        keys += p.dataKeys();
        savedIndex[p.id()] = p.index();
        assertTrue(Files.size(backup.resolve(p.file())) == p.bytes(), p.toString());
      }
      long liveInBackup =
          live.acked.stream()
              .filter(w -> w.version() <= savedIndex[a.node(0).clusterMap().partitionOf(w.key())])
              .count();
      assertEquals(saved.size() + liveInBackup, keys);
      acked = live.acked;
      partitionOf = k -> a.node(0).clusterMap().partitionOf(k);

      // A second save into the same directory is refused and changes nothing.
      List<String> before = listing(backup);
      oneLineErrorContaining(
          run("snapshot", "save", backup.toString(), "-e", a.endpoints),
          ExitCodes.USAGE,
          "is not empty; refusing to overwrite");
      assertEquals(before, listing(backup));

      // Tamper with one replica of partition 1 behind Raft's back: check must notice.
      KvStateMachine sm =
          (KvStateMachine)
              a.node(2).raftServer().getDivision(PartitionGroups.groupId(1)).getStateMachine();
      PartitionStore store = sm.store();
      WriteBatch tamper = store.newBatch();
      tamper.put(
          Keyspace.DATA,
          "tampered".getBytes(StandardCharsets.UTF_8),
          ValueCodec.encode(new VersionedValue(new byte[] {1}, 1, 1)));
      tamper.commit(store.applied());
      CliRun bad = run("check", "-e", a.endpoints, "--timeout", TIMEOUT);
      assertEquals(ExitCodes.DIVERGED, bad.exitCode(), bad.describe());
      assertTrue(bad.out().contains("DIFFERS"), bad.describe());
      assertTrue(
          bad.out()
              .lines()
              .anyMatch(l -> l.startsWith("1 ") && l.contains("n3") && l.contains("DIFFERS")),
          bad.describe());
      assertTrue(bad.err().contains("kv: replicas differ in partitions [1]"), bad.describe());
    }

    // Restore refusals: another partition count, a non-empty data directory.
    Path wrongCount = root.resolve("wrong.properties");
    Properties p8 = new Properties();
    p8.setProperty("node.id", "n1");
    p8.setProperty("node.data-dir", root.resolve("wrong").toString());
    p8.setProperty(
        "cluster.members", "n1:127.0.0.1:7001:7002,n2:127.0.0.2:7001:7002,n3:127.0.0.3:7001:7002");
    p8.setProperty("cluster.partitions", "8");
    store(p8, wrongCount);
    oneLineErrorContaining(
        run("snapshot", "restore", backup.toString(), "--config", wrongCount.toString()),
        ExitCodes.USAGE,
        "backup has 4 partitions but 8 are configured");
    assertTrue(!Files.exists(root.resolve("wrong")), "nothing written");

    // Fresh cluster B, every node restored before any starts.
    try (InJvmTestCluster b =
            new InJvmTestCluster(
                root.resolve("b"),
                "127.0.206.",
                NODES,
                PARTITIONS,
                i -> "",
                (i, config) -> {
                  Path file = root.resolve("b-n" + (i + 1) + ".properties");
                  store(config, file);
                  CliRun r =
                      run("snapshot", "restore", backup.toString(), "--config", file.toString());
                  assertEquals(0, r.exitCode(), r.describe());
                  assertTrue(r.out().contains(PARTITIONS + " partitions staged"), r.describe());
                  oneLineErrorContaining(
                      run("snapshot", "restore", backup.toString(), "--config", file.toString()),
                      ExitCodes.USAGE,
                      "is not empty");
                });
        KvClient client =
            KvClient.builder().endpoints(b.endpoints).timeout(Duration.ofSeconds(60)).build()) {
      Map<String, KeyValue> restored = dump(client);
      // Each partition holds exactly the live writes up to its cut (a linearizable point): those
      // at or below the saved index with their versions, none above it.
      int liveKept = 0;
      for (LiveWrite w : acked) {
        String k = new String(w.key(), StandardCharsets.UTF_8);
        KeyValue got = restored.remove(k);
        if (w.version() <= savedIndex[partitionOf.applyAsInt(w.key())]) {
          assertTrue(got != null, k + " at version " + w.version() + " is missing");
          assertEquals(w.version(), got.version(), k);
          assertEquals(w.value(), new String(got.value(), StandardCharsets.UTF_8), k);
          liveKept++;
        } else {
          assertTrue(got == null, k + " at version " + w.version() + " is past the cut");
        }
      }
      assertTrue(liveKept > 0 && acked.size() > liveKept, liveKept + " of " + acked.size());
      assertEquals(saved.keySet(), restored.keySet());
      System.out.printf(
          "round trip exact: %d keys written before the save + %d of %d live writes up to the "
              + "cuts, %d partitions, saved at indexes %s%n",
          saved.size(), liveKept, acked.size(), PARTITIONS, Arrays.toString(savedIndex));
      for (Map.Entry<String, KeyValue> e : saved.entrySet()) {
        KeyValue want = e.getValue();
        KeyValue got = restored.get(e.getKey());
        assertTrue(Arrays.equals(want.value(), got.value()), e.getKey());
        assertEquals(want.version(), got.version(), e.getKey());
        assertEquals(want.createVersion(), got.createVersion(), e.getKey());
      }
      assertTrue(!restored.containsKey("tampered"));

      // New writes continue above the restored versions, partition by partition.
      for (Map.Entry<String, KeyValue> e : saved.entrySet().stream().limit(50).toList()) {
        long v =
            client.put(
                e.getKey().getBytes(StandardCharsets.UTF_8),
                "new".getBytes(StandardCharsets.UTF_8));
        assertTrue(
            v > e.getValue().version(), e.getKey() + ": " + v + " <= " + e.getValue().version());
        int partition =
            b.node(0).clusterMap().partitionOf(e.getKey().getBytes(StandardCharsets.UTF_8));
        assertTrue(v > savedIndex[partition], "version " + v + " not above the saved index");
      }
      CliRun check = run("check", "-e", b.endpoints, "--timeout", TIMEOUT);
      assertEquals(0, check.exitCode(), check.describe());
    }
  }

  /** An acknowledged write of the live writer. */
  record LiveWrite(byte[] key, String value, long version) {}

  /**
   * Puts new keys one after another until stopped (at most 20,000 or 5 minutes), recording every
   * acknowledged write. A failed put fails the test: it could be in the backup unrecorded.
   */
  static final class LiveWriter {
    final List<LiveWrite> acked = new CopyOnWriteArrayList<>();
    private final String endpoints;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch first = new CountDownLatch(20);
    private volatile Throwable failure;
    private Thread thread;

    LiveWriter(String endpoints) {
      this.endpoints = endpoints;
    }

    void start() {
      thread =
          new Thread(
              () -> {
                long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                try (KvClient c =
                    KvClient.builder()
                        .endpoints(endpoints)
                        .timeout(Duration.ofSeconds(60))
                        .build()) {
                  for (int i = 0; i < 20_000 && !stop.get() && System.nanoTime() < until; i++) {
                    byte[] key = ("live/" + i).getBytes(StandardCharsets.UTF_8);
                    String value = "w" + i;
                    long v = c.put(key, value.getBytes(StandardCharsets.UTF_8));
                    acked.add(new LiveWrite(key, value, v));
                    first.countDown();
                  }
                } catch (Throwable t) {
                  failure = t;
                }
              },
              "live-writer");
      thread.start();
    }

    void awaitFirstWrites() throws InterruptedException {
      assertTrue(first.await(2, TimeUnit.MINUTES), "live writer made no progress");
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(Duration.ofMinutes(2).toMillis());
      assertTrue(!thread.isAlive(), "live writer did not stop");
      if (failure != null) {
        throw new AssertionError("live writer failed", failure);
      }
    }
  }

  private static void write(KvClient client) {
    Random r = new Random(5);
    List<TxnOp> ops = new ArrayList<>();
    for (int i = 0; i < 2400; i++) {
      byte[] value = new byte[10 + r.nextInt(300)];
      r.nextBytes(value);
      ops.add(
          TxnOp.newBuilder()
              .setPut(
                  TxnPut.newBuilder()
                      .setKey(ByteString.copyFromUtf8("key/" + i))
                      .setValue(ByteString.copyFrom(value)))
              .build());
    }
    assertTrue(client.batch(ops).allCommitted());
    // Overwrites and deletes, in batches (fast) and one by one.
    List<TxnOp> changes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      changes.add(
          TxnOp.newBuilder()
              .setPut(
                  TxnPut.newBuilder()
                      .setKey(ByteString.copyFromUtf8("key/" + r.nextInt(2400)))
                      .setValue(ByteString.copyFromUtf8("over" + i)))
              .build());
      if (i % 3 == 0) {
        changes.add(
            TxnOp.newBuilder()
                .setDelete(
                    TxnDelete.newBuilder()
                        .setKey(ByteString.copyFromUtf8("key/" + r.nextInt(2400))))
                .build());
      }
    }
    assertTrue(client.batch(changes).allCommitted());
    for (int i = 0; i < 20; i++) {
      client.put(
          ("key/" + r.nextInt(2400)).getBytes(StandardCharsets.UTF_8),
          ("single" + i).getBytes(StandardCharsets.UTF_8));
      client.delete(("key/" + r.nextInt(2400)).getBytes(StandardCharsets.UTF_8));
    }
    // A value large enough to be stored compressed.
    client.put(
        "big".getBytes(StandardCharsets.UTF_8), "x".repeat(4000).getBytes(StandardCharsets.UTF_8));
  }

  /** Every key with its value and versions, by linearizable scans. */
  private static Map<String, KeyValue> dump(KvClient client) {
    Map<String, KeyValue> out = new TreeMap<>();
    byte[] start = null;
    while (true) {
      var page = client.scan(start, null, 1000, io.kvstore.client.ReadOptions.LINEARIZABLE);
      for (KeyValue kv : page.entries()) {
        out.put(new String(kv.key(), StandardCharsets.UTF_8), kv);
      }
      if (page.nextAfter() == null) {
        return out;
      }
      start = Arrays.copyOf(page.nextAfter(), page.nextAfter().length + 1);
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void store(Properties p, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
  }
}

package io.kvstore.core.storage.mapdb;

import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.SnapshotFormat;
import io.kvstore.core.storage.WriteBatch;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The two MapDB modes for a partition store, measured in one run on the same machine (opt-in:
 * {@code -Dkvstore.bench.mapdb=true}; prints a table, asserts nothing):
 *
 * <ul>
 *   <li>(A) transactions, committed every 1000 applies — {@link MapDbPartitionStore} as the node
 *       runs it (mmap, 4 MiB increments);
 *   <li>(B) no transactions, the file written in place and trusted only after a clean close; a
 *       commit (sync) only at each snapshot. After a crash the file is discarded and the partition
 *       rebuilt from the latest snapshot plus the Raft log.
 * </ul>
 *
 * <p>Apply throughput: one apply = one put (16-byte key from a 1M key space, 128-byte value) and
 * the applied position, on one thread; A and B alternate, medians of the repetitions. Recovery
 * after a crash at a few store sizes: A = open the file at its last commit and re-apply up to 1000
 * entries (a commit interval); B = import the latest snapshot into a fresh file and re-apply the
 * entries since it (half the default snapshot interval of 100,000 entries, on average).
 */
class MapDbModeBenchmark {
  static final int APPLIES = Integer.getInteger("kvstore.bench.mapdb.applies", 100_000);
  static final int REPS = Integer.getInteger("kvstore.bench.mapdb.reps", 3);
  static final int[] SIZES = {10_000, 100_000, 400_000};
  static final int REPLAY_B = 50_000;
  static final int REPLAY_A = 1000;

  @TempDir Path dir;

  @Test
  void compareModes() throws IOException {
    Assumptions.assumeTrue(Boolean.getBoolean("kvstore.bench.mapdb"), "opt-in benchmark");
    List<Double> a = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    for (int r = 0; r < REPS; r++) {
      a.add(throughputTx(dir.resolve("a" + r)));
      b.add(throughputNoTx(dir.resolve("b" + r)));
      System.out.printf("rep %d: A %.0f applies/s, B %.0f applies/s%n", r, a.get(r), b.get(r));
    }
    double ma = median(a);
    double mb = median(b);
    System.out.printf(
        "apply throughput (median of %d x %d applies): A tx+commit/1000 %.0f/s, B no-tx %.0f/s,"
            + " B/A %.2f%n",
        REPS, APPLIES, ma, mb, mb / ma);
    System.out.println(
        "size | A recovery ms (open + replay 1000) | B recovery ms (import snapshot +"
            + " replay 50000) | B import ms | B replay ms");
    for (int size : SIZES) {
      long[] rec = recovery(dir.resolve("rec" + size), size);
      System.out.printf("%d | %d | %d | %d | %d%n", size, rec[0], rec[1] + rec[2], rec[1], rec[2]);
    }
  }

  private static double throughputTx(Path d) throws IOException {
    MapDbPartitionStore store =
        MapDbPartitionStore.open(d, new MapDbPartitionStore.Options(1000, 4L << 20));
    Random rnd = new Random(1);
    byte[] key = new byte[16];
    long start = System.nanoTime();
    for (int i = 1; i <= APPLIES; i++) {
      applyTx(store, rnd, key, i);
    }
    store.flush();
    double rate = APPLIES / ((System.nanoTime() - start) / 1e9);
    store.close();
    return rate;
  }

  private static void applyTx(MapDbPartitionStore store, Random rnd, byte[] key, long index) {
    WriteBatch batch = store.newBatch();
    batch.put(Keyspace.DATA, key(rnd, key), value(rnd));
    batch.commit(new LogPosition(1, index));
  }

  private static double throughputNoTx(Path d) throws IOException {
    Files.createDirectories(d);
    NoTx store = new NoTx(d.resolve("kv.db"));
    Random rnd = new Random(1);
    byte[] key = new byte[16];
    long start = System.nanoTime();
    for (int i = 1; i <= APPLIES; i++) {
      store.apply(key(rnd, key), value(rnd), i);
      if (i % 100_000 == 0) {
        store.db.commit(); // a snapshot's sync
      }
    }
    store.db.commit();
    double rate = APPLIES / ((System.nanoTime() - start) / 1e9);
    store.db.close();
    return rate;
  }

  /** [A recovery ms, B snapshot import ms, B replay ms] for a store of {@code size} keys. */
  private static long[] recovery(Path d, int size) throws IOException {
    Path aDir = d.resolve("a");
    MapDbPartitionStore store =
        MapDbPartitionStore.open(aDir, new MapDbPartitionStore.Options(10_000, 4L << 20));
    Random rnd = new Random(2);
    byte[] key = new byte[16];
    for (int i = 1; i <= size; i++) {
      applyTx(store, rnd, key, i);
    }
    Path snapshot = d.resolve("snapshot");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(snapshot), 1 << 16)) {
      store.exportSnapshot(out);
    }
    store.close();

    // A: the file reopens at its last commit; the log re-applies up to one commit interval.
    long t = System.nanoTime();
    MapDbPartitionStore reopened =
        MapDbPartitionStore.open(aDir, new MapDbPartitionStore.Options(1000, 4L << 20));
    for (int i = 1; i <= REPLAY_A; i++) {
      applyTx(reopened, rnd, key, size + i);
    }
    reopened.flush();
    long aMs = (System.nanoTime() - t) / 1_000_000;
    reopened.close();

    // B: the file is not trusted; import the snapshot into a fresh one, then replay the log.
    Path bDir = d.resolve("b");
    Files.createDirectories(bDir);
    t = System.nanoTime();
    NoTx fresh = new NoTx(bDir.resolve("kv.db"));
    SnapshotFormat.read(
        snapshot,
        new SnapshotFormat.Sink() {
          @Override
          public void header(LogPosition p) {}

          @Override
          public void entry(Keyspace space, byte[] k, byte[] v) {
            fresh.map.put(k, v);
          }
        });
    long importMs = (System.nanoTime() - t) / 1_000_000;
    t = System.nanoTime();
    for (int i = 1; i <= REPLAY_B; i++) {
      fresh.apply(key(rnd, key), value(rnd), size + i);
    }
    fresh.db.commit();
    long replayMs = (System.nanoTime() - t) / 1_000_000;
    fresh.db.close();
    return new long[] {aMs, importMs, replayMs};
  }

  /** Mode B: the same map and position, no transactions. */
  private static final class NoTx {
    final DB db;
    final BTreeMap<byte[], byte[]> map;
    final Atomic.Long term;
    final Atomic.Long index;

    NoTx(Path file) {
      db =
          DBMaker.fileDB(file.toFile())
              .fileMmapEnableIfSupported()
              .cleanerHackEnable()
              .allocateIncrement(4L << 20)
              .make();
      map = db.treeMap("ks1", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
      term = db.atomicLong("applied.term").createOrOpen();
      index = db.atomicLong("applied.index").createOrOpen();
    }

    void apply(byte[] k, byte[] v, long i) {
      map.put(k, v);
      term.set(1);
      index.set(i);
    }
  }

  private static byte[] key(Random rnd, byte[] buf) {
    String k = String.format("key-%012d", rnd.nextInt(1_000_000));
    return k.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static byte[] value(Random rnd) {
    byte[] v = new byte[128];
    rnd.nextBytes(v);
    return v;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}

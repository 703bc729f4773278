package io.kvstore.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract: every {@link PartitionStore} engine passes this suite. */
public abstract class PartitionStoreContract {
  @TempDir protected Path dir;
  protected PartitionStore store;

  /** Opens the engine's store in {@code dir} (the same directory on reopen). */
  protected abstract PartitionStore open(Path dir) throws IOException;

  /** Whether data survives close and reopen (false for heap-only engines). */
  protected abstract boolean persistent();

  @BeforeEach
  void openStore() throws IOException {
    store = open(dir.resolve("store"));
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }

  protected static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected void commit(long index, String... kvs) {
    WriteBatch batch = store.newBatch();
    for (int i = 0; i < kvs.length; i += 2) {
      if (kvs[i + 1] == null) {
        batch.delete(Keyspace.DATA, b(kvs[i]));
      } else {
        batch.put(Keyspace.DATA, b(kvs[i]), b(kvs[i + 1]));
      }
    }
    batch.commit(new LogPosition(1, index));
  }

  @Test
  void get_absentKeyIsNull() {
    assertNull(store.get(Keyspace.DATA, b("missing")));
    assertEquals(LogPosition.ZERO, store.applied());
  }

  @Test
  void commit_makesWritesAndPositionVisibleTogether() {
    commit(5, "a", "1", "b", "2");
    assertArrayEquals(b("1"), store.get(Keyspace.DATA, b("a")));
    assertArrayEquals(b("2"), store.get(Keyspace.DATA, b("b")));
    assertEquals(new LogPosition(1, 5), store.applied());
  }

  @Test
  void batch_isInvisibleUntilCommitted() {
    WriteBatch batch = store.newBatch();
    batch.put(Keyspace.DATA, b("a"), b("1"));
    assertNull(store.get(Keyspace.DATA, b("a")));
    assertArrayEquals(b("1"), batch.get(Keyspace.DATA, b("a")));
    batch.commit(new LogPosition(1, 1));
    assertArrayEquals(b("1"), store.get(Keyspace.DATA, b("a")));
  }

  @Test
  void batch_readsItsOwnDeletes() {
    commit(1, "a", "1");
    WriteBatch batch = store.newBatch();
    batch.delete(Keyspace.DATA, b("a"));
    assertNull(batch.get(Keyspace.DATA, b("a")));
    assertArrayEquals(b("1"), store.get(Keyspace.DATA, b("a")));
    batch.commit(new LogPosition(1, 2));
    assertNull(store.get(Keyspace.DATA, b("a")));
  }

  @Test
  void put_overwritesExistingValue() {
    commit(1, "a", "1");
    commit(2, "a", "2");
    assertArrayEquals(b("2"), store.get(Keyspace.DATA, b("a")));
    assertEquals(1, store.count(Keyspace.DATA));
  }

  @Test
  void scan_isUnsignedOrderedAndRespectsBounds() {
    WriteBatch batch = store.newBatch();
    byte[][] keys = {{1}, {2}, {(byte) 0x7f}, {(byte) 0x80}, {(byte) 0xff}, {2, 0}};
    for (byte[] k : keys) {
      batch.put(Keyspace.DATA, k, k);
    }
    batch.commit(new LogPosition(1, 1));
    List<byte[]> all = new ArrayList<>();
    store.scan(Keyspace.DATA, null, null, (k, v) -> all.add(k));
    assertEquals(6, all.size());
    assertArrayEquals(new byte[] {1}, all.get(0));
    assertArrayEquals(new byte[] {2}, all.get(1));
    assertArrayEquals(new byte[] {2, 0}, all.get(2));
    assertArrayEquals(new byte[] {(byte) 0xff}, all.get(5));
    List<byte[]> some = new ArrayList<>();
    store.scan(Keyspace.DATA, new byte[] {2}, new byte[] {(byte) 0x80}, (k, v) -> some.add(k));
    assertEquals(3, some.size());
    List<byte[]> first = new ArrayList<>();
    store.scan(
        Keyspace.DATA,
        null,
        null,
        (k, v) -> {
          first.add(k);
          return false;
        });
    assertEquals(1, first.size());
  }

  @Test
  void keyspaces_areSeparate() {
    WriteBatch batch = store.newBatch();
    batch.put(Keyspace.DATA, b("k"), b("data"));
    batch.put(Keyspace.SESSIONS, b("k"), b("session"));
    batch.commit(new LogPosition(1, 1));
    assertArrayEquals(b("data"), store.get(Keyspace.DATA, b("k")));
    assertArrayEquals(b("session"), store.get(Keyspace.SESSIONS, b("k")));
    assertEquals(1, store.count(Keyspace.DATA));
  }

  @Test
  void snapshot_roundTripsIntoAnotherStore() throws IOException {
    commit(1, "a", "1", "b", "2");
    WriteBatch batch = store.newBatch();
    batch.put(Keyspace.SESSIONS, b("s"), b("x"));
    batch.commit(new LogPosition(3, 9));
    Path snap = dir.resolve("snap");
    try (OutputStream out = Files.newOutputStream(snap)) {
      store.exportSnapshot(out);
    }
    try (PartitionStore other = open(dir.resolve("other"))) {
      other.newBatch().commit(new LogPosition(1, 1));
      commitTo(other, "stale", "gone");
      other.importSnapshot(snap);
      assertEquals(new LogPosition(3, 9), other.applied());
      assertArrayEquals(b("1"), other.get(Keyspace.DATA, b("a")));
      assertArrayEquals(b("x"), other.get(Keyspace.SESSIONS, b("s")));
      assertNull(other.get(Keyspace.DATA, b("stale")));
      assertEquals(2, other.count(Keyspace.DATA));
    }
  }

  private static void commitTo(PartitionStore s, String k, String v) {
    WriteBatch batch = s.newBatch();
    batch.put(Keyspace.DATA, b(k), b(v));
    batch.commit(new LogPosition(1, 2));
  }

  @Test
  void snapshot_corruptFileIsRefusedAndStateKept() throws IOException {
    commit(1, "a", "1");
    Path snap = dir.resolve("snap");
    try (OutputStream out = Files.newOutputStream(snap)) {
      store.exportSnapshot(out);
    }
    byte[] bytes = Files.readAllBytes(snap);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(snap, bytes);
    commit(2, "b", "2");
    assertThrows(IOException.class, () -> store.importSnapshot(snap));
    assertArrayEquals(b("2"), store.get(Keyspace.DATA, b("b")));
    assertEquals(new LogPosition(1, 2), store.applied());
  }

  @Test
  void reopen_afterFlushKeepsDataAndPosition() throws IOException {
    Assumptions.assumeTrue(persistent());
    commit(1, "a", "1");
    commit(2, "b", "2", "a", null);
    store.flush();
    assertEquals(new LogPosition(1, 2), store.durable());
    store.close();
    store = open(dir.resolve("store"));
    assertEquals(new LogPosition(1, 2), store.applied());
    assertNull(store.get(Keyspace.DATA, b("a")));
    assertArrayEquals(b("2"), store.get(Keyspace.DATA, b("b")));
  }

  @Test
  void reopen_afterImportKeepsImportedState() throws IOException {
    Assumptions.assumeTrue(persistent());
    commit(4, "a", "1");
    Path snap = dir.resolve("snap");
    try (OutputStream out = Files.newOutputStream(snap)) {
      store.exportSnapshot(out);
    }
    commit(5, "b", "2");
    store.importSnapshot(snap);
    store.close();
    store = open(dir.resolve("store"));
    assertEquals(new LogPosition(1, 4), store.applied());
    assertNull(store.get(Keyspace.DATA, b("b")));
  }
}

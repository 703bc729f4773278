package io.kvstore.core.storage.mapdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.PartitionStoreContract;
import io.kvstore.core.storage.WriteBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MapDbPartitionStoreTest extends PartitionStoreContract {
  @Override
  protected PartitionStore open(Path dir) throws IOException {
    return MapDbPartitionStore.open(dir, new MapDbPartitionStore.Options(3, 1 << 20));
  }

  @Override
  protected boolean persistent() {
    return true;
  }

  @Test
  void groupCommit_durablePositionTrailsAppliedUntilFlush() throws IOException {
    commit(1, "a", "1");
    assertEquals(LogPosition.ZERO, store.durable());
    commit(2, "b", "1");
    commit(3, "c", "1");
    assertEquals(new LogPosition(1, 3), store.durable());
    commit(4, "d", "1");
    assertEquals(new LogPosition(1, 3), store.durable());
    store.flush();
    assertEquals(new LogPosition(1, 4), store.durable());
  }

  @Test
  void groupCommit_alsoCommitsOnceBatchesReachTheByteBound() throws IOException {
    store.close();
    store =
        MapDbPartitionStore.open(
            dir.resolve("bytes"),
            new MapDbPartitionStore.Options(1000, 1 << 20, false, true, 10_000));
    byte[] big = new byte[6_000];
    WriteBatch b = store.newBatch();
    b.put(Keyspace.DATA, b("k1"), big);
    b.commit(new LogPosition(1, 1));
    assertEquals(LogPosition.ZERO, store.durable());
    b = store.newBatch();
    b.put(Keyspace.DATA, b("k2"), big);
    b.commit(new LogPosition(1, 2));
    assertEquals(new LogPosition(1, 2), store.durable());
    b = store.newBatch();
    b.put(Keyspace.DATA, b("k3"), big);
    b.commit(new LogPosition(1, 3));
    assertEquals(new LogPosition(1, 2), store.durable());
  }

  @Test
  void unopenableFile_isSetAsideAndStoreStartsEmpty() throws IOException {
    commit(1, "a", "1");
    store.close();
    Path file;
    try (Stream<Path> s = Files.walk(dir.resolve("store"))) {
      file = s.filter(p -> p.getFileName().toString().equals("kv.db")).findFirst().orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(0);
      raf.write(new byte[64]);
    }
    store = open(dir.resolve("store"));
    assertEquals(LogPosition.ZERO, store.applied());
    assertEquals(0, store.count(Keyspace.DATA));
    try (Stream<Path> s = Files.list(dir.resolve("store"))) {
      assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("corrupt-")));
    }
    commit(2, "b", "2");
    assertArrayEquals(b("2"), store.get(Keyspace.DATA, b("b")));
  }
}

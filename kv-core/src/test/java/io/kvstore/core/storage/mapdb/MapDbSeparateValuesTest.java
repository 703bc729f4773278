package io.kvstore.core.storage.mapdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.PartitionStoreContract;
import io.kvstore.core.storage.WriteBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The store contract with values outside the B-tree nodes and file-channel I/O instead of mmap. */
class MapDbSeparateValuesTest extends PartitionStoreContract {
  private static final MapDbPartitionStore.Options SEPARATE =
      new MapDbPartitionStore.Options(3, 1 << 20, true, false);
  private static final MapDbPartitionStore.Options INLINE =
      new MapDbPartitionStore.Options(3, 1 << 20, false, true);

  @Override
  protected PartitionStore open(Path dir) throws IOException {
    return MapDbPartitionStore.open(dir, SEPARATE);
  }

  @Override
  protected boolean persistent() {
    return true;
  }

  @Test
  void layout_isFixedWhenTheFileIsCreated() throws IOException {
    byte[][] values = new byte[200][];
    Random rnd = new Random(3);
    for (int i = 0; i < values.length; i++) {
      values[i] = new byte[4096];
      rnd.nextBytes(values[i]);
      WriteBatch batch = store.newBatch();
      batch.put(Keyspace.DATA, b("k" + i), values[i]);
      batch.commit(new LogPosition(1, i + 1));
    }
    store.close();
    // Reopened with the other settings, the file keeps its layout and every value reads back.
    store = MapDbPartitionStore.open(dir.resolve("store"), INLINE);
    assertEquals(values.length, store.count(Keyspace.DATA));
    for (int i = 0; i < values.length; i++) {
      assertArrayEquals(values[i], store.get(Keyspace.DATA, b("k" + i)));
    }
    commit(5000, "new", "v");
    store.close();
    store = MapDbPartitionStore.open(dir.resolve("store"), SEPARATE);
    assertArrayEquals(b("v"), store.get(Keyspace.DATA, b("new")));
    assertArrayEquals(values[7], store.get(Keyspace.DATA, b("k7")));
  }
}

package io.kvstore.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.storage.memory.InMemoryPartitionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsistentCutTest {
  private final InMemoryPartitionStore store = new InMemoryPartitionStore();
  private final CutRegistry cuts = new CutRegistry();
  private long index;

  private static byte[] key(int i) {
    return String.format("k%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** One "applied entry": a few random puts and deletes through a tracked batch. */
  private void applyRandom(Random r, int keySpace) {
    WriteBatch b = cuts.track(store.newBatch());
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      byte[] k = key(r.nextInt(keySpace));
      if (r.nextInt(4) == 0) {
        b.delete(Keyspace.DATA, k);
      } else {
        b.put(Keyspace.DATA, k, ("v" + index + "-" + r.nextInt()).getBytes(StandardCharsets.UTF_8));
      }
      if (r.nextInt(8) == 0) {
        b.put(Keyspace.META, k, new byte[] {1});
      }
    }
    index++;
    b.commit(new LogPosition(1, index));
  }

  private static Map<String, String> text(Map<byte[], byte[]> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach(
        (k, v) ->
            out.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void readerSeesExactlyTheStateAtTheCutWhileWritesContinue() throws IOException {
    Random r = new Random(7);
    int keySpace = 6 * ConsistentCut.CHUNK;
    for (int i = 0; i < 8000; i++) {
      applyRandom(r, keySpace);
    }
    Map<String, String> expectedData = text(store.dump(Keyspace.DATA));
    Map<String, String> expectedMeta = text(store.dump(Keyspace.META));
    ConsistentCut cut =
        cuts.open(store, store.applied(), EnumSet.of(Keyspace.DATA, Keyspace.META), 1L << 30);
    assertEquals(store.applied(), cut.position());

    Map<byte[], byte[]> seen = new TreeMap<>(Arrays::compareUnsigned);
    // Writes interleave with the reader: several applied entries per visited key, over the whole
    // key range (behind and ahead of the reader).
    cut.scan(
        Keyspace.DATA,
        (k, v) -> {
          seen.put(k, v);
          for (int i = 0; i < 3; i++) {
            applyRandom(r, keySpace);
          }
          return true;
        });
    assertEquals(expectedData, text(seen));
    assertTrue(!expectedData.equals(text(store.dump(Keyspace.DATA))), "writes went on");

    Map<byte[], byte[]> meta = new TreeMap<>(Arrays::compareUnsigned);
    cut.scan(
        Keyspace.META,
        (k, v) -> {
          meta.put(k, v);
          return true;
        });
    assertEquals(expectedMeta, text(meta));
    cut.close();
    assertEquals(0, cuts.size());
    assertEquals(0, cut.capturedBytes());
  }

  @Test
  void snapshotOfACutReadsBackAsTheStateAtTheCut(@TempDir Path dir) throws IOException {
    Random r = new Random(11);
    for (int i = 0; i < 3000; i++) {
      applyRandom(r, 3000);
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    SnapshotFormat.write(store, expected);
    ConsistentCut cut = cuts.open(store, store.applied(), EnumSet.allOf(Keyspace.class), 1L << 30);
    ByteArrayOutputStream actual = new ByteArrayOutputStream();
    SnapshotFormat.write(
        cut.position(),
        (space, visitor) ->
            cut.scan(
                space,
                (k, v) -> {
                  applyRandom(r, 3000);
                  return visitor.test(k, v);
                }),
        actual);
    cut.close();
    assertTrue(Arrays.equals(expected.toByteArray(), actual.toByteArray()));
    Path f = dir.resolve("s");
    Files.write(f, actual.toByteArray());
    assertEquals(new LogPosition(1, 3000), SnapshotFormat.verify(f));
  }

  @Test
  void tooManyCapturedBytesFailTheCutAndFreeIt() {
    Random r = new Random(3);
    for (int i = 0; i < 5000; i++) {
      applyRandom(r, 5000);
    }
    ConsistentCut cut = cuts.open(store, store.applied(), EnumSet.of(Keyspace.DATA), 4096);
    List<Integer> visited = new ArrayList<>();
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                cut.scan(
                    Keyspace.DATA,
                    (k, v) -> {
                      visited.add(1);
                      for (int i = 0; i < 50; i++) {
                        applyRandom(r, 5000);
                      }
                      return true;
                    }));
    assertTrue(e.getMessage().contains("overwritten while the cut was read"), e.getMessage());
    assertEquals(0, cuts.size());
    assertEquals(0, cut.capturedBytes());
  }

  @Test
  void abortedCutStopsTheReader() {
    for (int i = 0; i < 10; i++) {
      applyRandom(new Random(i), 100);
    }
    ConsistentCut cut = cuts.open(store, store.applied(), EnumSet.of(Keyspace.DATA), 1 << 20);
    cuts.abortAll("store replaced");
    IOException e = assertThrows(IOException.class, () -> cut.scan(Keyspace.DATA, (k, v) -> true));
    assertTrue(e.getMessage().contains("store replaced"), e.getMessage());
  }
}

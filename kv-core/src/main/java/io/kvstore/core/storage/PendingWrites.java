package io.kvstore.core.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The buffered changes of a {@link WriteBatch}, for engines to apply in one step. A null value is a
 * deletion. Later writes to the same key replace earlier ones.
 */
public final class PendingWrites {
  private static final byte[] TOMBSTONE = new byte[0];
  private final Map<Keyspace, TreeMap<byte[], byte[]>> writes = new EnumMap<>(Keyspace.class);

  public void put(Keyspace space, byte[] key, byte[] value) {
    if (key == null || value == null) {
      throw new NullPointerException("key and value must not be null");
    }
    writes.computeIfAbsent(space, s -> new TreeMap<>(Arrays::compareUnsigned)).put(key, value);
  }

  public void delete(Keyspace space, byte[] key) {
    writes.computeIfAbsent(space, s -> new TreeMap<>(Arrays::compareUnsigned)).put(key, TOMBSTONE);
  }

  /** Whether this batch touches {@code key}; {@link #pending} then gives its new value. */
  public boolean touches(Keyspace space, byte[] key) {
    TreeMap<byte[], byte[]> m = writes.get(space);
    return m != null && m.containsKey(key);
  }

  /** The pending value of a touched key; null if the batch deletes it. */
  public byte[] pending(Keyspace space, byte[] key) {
    byte[] v = writes.get(space).get(key);
    return v == TOMBSTONE ? null : v;
  }

  /** One change: a put, or a delete when {@code value} is null. */
  public record Change(Keyspace space, byte[] key, byte[] value) {}

  public List<Change> changes() {
    List<Change> out = new ArrayList<>();
    for (Map.Entry<Keyspace, TreeMap<byte[], byte[]>> e : writes.entrySet()) {
      for (Map.Entry<byte[], byte[]> w : e.getValue().entrySet()) {
        out.add(
            new Change(e.getKey(), w.getKey(), w.getValue() == TOMBSTONE ? null : w.getValue()));
      }
    }
    return out;
  }
}

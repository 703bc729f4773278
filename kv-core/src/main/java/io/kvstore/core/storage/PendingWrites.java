package io.kvstore.core.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiPredicate;

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

  /**
   * Visits the entries of {@code base} with these changes applied, with {@code from <= key < to} in
   * unsigned key order, until the visitor returns false (the merged view a batch reads).
   */
  public void scan(
      ReadView base, Keyspace space, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
    TreeMap<byte[], byte[]> all = writes.get(space);
    if (all == null || all.isEmpty()) {
      base.scan(space, from, to, visitor);
      return;
    }
    java.util.NavigableMap<byte[], byte[]> mine = all;
    if (from != null && to != null) {
      mine = Arrays.compareUnsigned(from, to) < 0 ? all.subMap(from, true, to, false) : empty();
    } else if (from != null) {
      mine = all.tailMap(from, true);
    } else if (to != null) {
      mine = all.headMap(to, false);
    }
    java.util.Iterator<Map.Entry<byte[], byte[]>> it = mine.entrySet().iterator();
    Map.Entry<byte[], byte[]>[] next = nextOrNull(it);
    boolean[] stopped = {false};
    base.scan(
        space,
        from,
        to,
        (k, v) -> {
          while (next[0] != null && Arrays.compareUnsigned(next[0].getKey(), k) < 0) {
            if (!visitPending(next[0], visitor)) {
              stopped[0] = true;
              return false;
            }
            next[0] = it.hasNext() ? it.next() : null;
          }
          if (next[0] != null && Arrays.compareUnsigned(next[0].getKey(), k) == 0) {
            Map.Entry<byte[], byte[]> e = next[0];
            next[0] = it.hasNext() ? it.next() : null;
            if (!visitPending(e, visitor)) {
              stopped[0] = true;
              return false;
            }
            return true;
          }
          if (!visitor.test(k, v)) {
            stopped[0] = true;
            return false;
          }
          return true;
        });
    while (!stopped[0] && next[0] != null) {
      if (!visitPending(next[0], visitor)) {
        return;
      }
      next[0] = it.hasNext() ? it.next() : null;
    }
  }

  /** Visits a pending entry unless it is a deletion; returns whether to go on. */
  private static boolean visitPending(
      Map.Entry<byte[], byte[]> e, BiPredicate<byte[], byte[]> visitor) {
    return e.getValue() == TOMBSTONE || visitor.test(e.getKey(), e.getValue());
  }

  @SuppressWarnings("unchecked")
  private static Map.Entry<byte[], byte[]>[] nextOrNull(
      java.util.Iterator<Map.Entry<byte[], byte[]>> it) {
    Map.Entry<byte[], byte[]>[] holder = new Map.Entry[1];
    holder[0] = it.hasNext() ? it.next() : null;
    return holder;
  }

  private static java.util.NavigableMap<byte[], byte[]> empty() {
    return new TreeMap<>(Arrays::compareUnsigned);
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

package io.kvstore.core.storage;

import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Read access to a partition store. Safe to call from any thread, concurrently with one writer; a
 * reader never sees half of a committed {@link WriteBatch}.
 */
public interface ReadView {

  /** The value stored under {@code key}, or {@code null}. */
  byte[] get(Keyspace space, byte[] key);

  /**
   * Visits entries with {@code from <= key < to} in unsigned lexicographic key order until the
   * visitor returns false. A null bound is open.
   */
  void scan(Keyspace space, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor);

  /** The position of the last batch committed to this view. */
  LogPosition applied();

  /** Number of entries in {@code space}; may cost a full scan. */
  long count(Keyspace space);

  /** Convenience for tests and tools: all entries of a keyspace, in key order. */
  default Map<byte[], byte[]> dump(Keyspace space) {
    Map<byte[], byte[]> out = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
    scan(
        space,
        null,
        null,
        (k, v) -> {
          out.put(k, v);
          return true;
        });
    return out;
  }
}

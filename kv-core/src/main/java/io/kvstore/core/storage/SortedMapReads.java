package io.kvstore.core.storage;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.locks.Lock;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/** The read side shared by engines that keep each keyspace as a sorted map under a read lock. */
public final class SortedMapReads {
  private SortedMapReads() {}

  /** Runs {@code read} holding {@code lock}. */
  public static <T> T locked(Lock lock, Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  /** Visits the entries of {@code map} in [from, to) (null bounds open) until the visitor stops. */
  public static void scan(
      NavigableMap<byte[], byte[]> map,
      byte[] from,
      byte[] to,
      BiPredicate<byte[], byte[]> visitor) {
    NavigableMap<byte[], byte[]> m = map;
    if (from != null) {
      m = m.tailMap(from, true);
    }
    if (to != null) {
      m = m.headMap(to, false);
    }
    for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
      if (!visitor.test(e.getKey(), e.getValue())) {
        return;
      }
    }
  }
}

package io.kvstore.raft.statemachine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.kvstore.core.command.VersionedValue;
import java.util.Arrays;

/**
 * Hot values of every partition on this node, in memory in front of the MapDB files, bounded in
 * bytes (Caffeine's W-TinyLFU keeps what is read often). Kept exact: the apply thread invalidates
 * every key it writes, and a reader fills the cache only if no write of its partition was applied
 * while it read the store (see {@link #fill}). Thread-safe.
 */
public final class HotCache {
  private static final int ENTRY_OVERHEAD = 96;
  private final Cache<Key, VersionedValue> cache;

  public HotCache(long maxBytes) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(Math.max(0, maxBytes))
            .weigher(
                (Key k, VersionedValue v) ->
                    (int)
                        Math.min(
                            Integer.MAX_VALUE, k.key.length + v.value().length + ENTRY_OVERHEAD))
            .recordStats()
            .build();
  }

  /** A cached value of a partition's key. */
  private record Key(int partition, byte[] key) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.partition == partition && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
      return 31 * partition + Arrays.hashCode(key);
    }
  }

  VersionedValue get(int partition, byte[] key) {
    return cache.getIfPresent(new Key(partition, key));
  }

  /**
   * Caches {@code value}, read from the store while the partition's apply sequence was {@code
   * seenSeq}, unless a write was applied since ({@code currentSeq} differs): the value might then
   * be older than what the store holds. Atomic with {@link #invalidate} of the same key.
   */
  void fill(
      int partition,
      byte[] key,
      VersionedValue value,
      long seenSeq,
      java.util.function.LongSupplier currentSeq) {
    cache
        .asMap()
        .compute(
            new Key(partition, key), (k, old) -> currentSeq.getAsLong() == seenSeq ? value : old);
  }

  void invalidate(int partition, byte[] key) {
    cache.invalidate(new Key(partition, key));
  }

  /** Drops every value of a partition (after a snapshot replaced its state). */
  void invalidatePartition(int partition) {
    cache.asMap().keySet().removeIf(k -> k.partition == partition);
  }

  public CacheStats stats() {
    return cache.stats();
  }

  /** Bytes currently held (by the weigher's estimate). */
  public long weightedBytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }
}

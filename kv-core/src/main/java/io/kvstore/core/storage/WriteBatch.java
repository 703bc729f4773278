package io.kvstore.core.storage;

/**
 * Changes to a partition store, applied all together with the log position they came from. A batch
 * reads its own writes through {@link #get} and {@link #scan}. Not thread-safe: one batch, one
 * thread.
 */
public interface WriteBatch {

  void put(Keyspace space, byte[] key, byte[] value);

  void delete(Keyspace space, byte[] key);

  /** The value as this batch would leave it: the batch's own pending write, else the store's. */
  byte[] get(Keyspace space, byte[] key);

  /**
   * Visits entries with {@code from <= key < to} as this batch would leave them (the store's
   * entries with the batch's pending changes applied), in unsigned key order, until the visitor
   * returns false. A null bound is open.
   */
  void scan(
      Keyspace space,
      byte[] from,
      byte[] to,
      java.util.function.BiPredicate<byte[], byte[]> visitor);

  /**
   * Applies every change and records {@code position} as applied, atomically for readers. After a
   * crash the store comes back either with the whole batch and its position or without both.
   */
  void commit(LogPosition position);
}

package io.kvstore.core.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Maps key bytes to a point of the unsigned 64-bit ring: XXH64 with seed 0.
 *
 * <p><b>The hash function and the seed are part of the on-disk and wire contract and never
 * change.</b> Partition ranges are stored in the cluster map and clients route on their own;
 * a different hash (or seed, or hash-tag rule) would silently send keys to partitions that do
 * not hold them. Changing it means a new keyspace format and a migration, not an edit here.
 *
 * <p>Hash tags (Redis Cluster's rule): if the key contains {@code '{'} and, after the first
 * {@code '{'}, a {@code '}'} with at least one byte between them, only the bytes between that
 * first {@code '{'} and the first {@code '}'} after it are hashed. Keys that share a tag
 * therefore share a partition, which is what multi-key operations on one Raft group need. An
 * empty tag ({@code "{}"}) or an unclosed one hashes the whole key.
 *
 * <p>XXH64 is written out here (the reference algorithm, little-endian lane reads) rather than
 * taken from a library so the core has no dependency whose upgrade could change routing. Tests
 * check it against the published test vectors and against lz4-java's implementation.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyHasher {
  /** The seed of every hash on the ring. Part of the contract; never change it. */
  public static final long SEED = 0L;

  private static final long PRIME1 = 0x9E3779B185EBCA87L;
  private static final long PRIME2 = 0xC2B2AE3D27D4EB4FL;
  private static final long PRIME3 = 0x165667B19E3779F9L;
  private static final long PRIME4 = 0x85EBCA77C2B2AE63L;
  private static final long PRIME5 = 0x27D4EB2F165667C5L;

  // The algorithm reads lanes little-endian whatever the platform's byte order.
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private KeyHasher() {}

  /** The ring position of a key, honouring hash tags. */
  public static long hashKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    int open = indexOf(key, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(key, (byte) '}', open + 1);
      if (close > open + 1) {
        return xxh64(key, open + 1, close - open - 1, SEED);
      }
    }
    return xxh64(key, 0, key.length, SEED);
  }

  /** XXH64 of all of {@code data} with seed 0, no hash-tag rule (used for placement tokens). */
  public static long xxh64(byte[] data) {
    return xxh64(data, 0, data.length, SEED);
  }

  /** XXH64 of {@code data[off, off + len)} with seed 0, no hash-tag rule. */
  public static long xxh64(byte[] data, int off, int len) {
    return xxh64(data, off, len, SEED);
  }

  // Seeded form kept package-private: only tests use a seed other than SEED.
  static long xxh64(byte[] data, int off, int len, long seed) {
    Objects.checkFromIndexSize(off, len, data.length);
    final int end = off + len;
    int p = off;
    long h;
    if (len >= 32) {
      long v1 = seed + PRIME1 + PRIME2;
      long v2 = seed + PRIME2;
      long v3 = seed;
      long v4 = seed - PRIME1;
      final int limit = end - 32;
      do {
        v1 = round(v1, (long) LONG_LE.get(data, p));
        v2 = round(v2, (long) LONG_LE.get(data, p + 8));
        v3 = round(v3, (long) LONG_LE.get(data, p + 16));
        v4 = round(v4, (long) LONG_LE.get(data, p + 24));
        p += 32;
      } while (p <= limit);
      h =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      h = mergeRound(h, v1);
      h = mergeRound(h, v2);
      h = mergeRound(h, v3);
      h = mergeRound(h, v4);
    } else {
      h = seed + PRIME5;
    }
    h += len;
    while (p + 8 <= end) {
      h ^= round(0, (long) LONG_LE.get(data, p));
      h = Long.rotateLeft(h, 27) * PRIME1 + PRIME4;
      p += 8;
    }
    if (p + 4 <= end) {
      h ^= ((int) INT_LE.get(data, p) & 0xFFFFFFFFL) * PRIME1;
      h = Long.rotateLeft(h, 23) * PRIME2 + PRIME3;
      p += 4;
    }
    while (p < end) {
      h ^= (data[p] & 0xFFL) * PRIME5;
      h = Long.rotateLeft(h, 11) * PRIME1;
      p++;
    }
    return avalanche(h);
  }

  private static long round(long acc, long lane) {
    acc += lane * PRIME2;
    acc = Long.rotateLeft(acc, 31);
    return acc * PRIME1;
  }

  private static long mergeRound(long acc, long v) {
    acc ^= round(0, v);
    return acc * PRIME1 + PRIME4;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= PRIME2;
    h ^= h >>> 29;
    h *= PRIME3;
    h ^= h >>> 32;
    return h;
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }
}

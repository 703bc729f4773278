package io.kvstore.core.ring;

/**
 * The hash space cut into {@code P} equal ranges: partition {@code p} holds every hash {@code h}
 * with {@code floor(unsigned(h) * P / 2^64) == p}.
 *
 * <p>{@code P} is fixed at bootstrap and stored in the cluster map: changing it re-homes almost
 * every key. It is bounded to {@value #MAX_PARTITIONS} so the exact arithmetic below stays in longs
 * and a cluster map stays small. Growth beyond the bootstrap count is meant to come from splitting
 * a partition's range, not from changing {@code P}.
 *
 * <p>Ranges are exact, not approximate: partition {@code p} starts at {@code ceil(p * 2^64 / P)},
 * so every hash lies in exactly one range and {@link #partitionOf(long)} agrees with {@link
 * #range(int)}. Immutable and thread-safe.
 */
public final class PartitionScheme {
  public static final int MAX_PARTITIONS = 4096;

  private final int partitions;
  // 2^64 = partitions * quotient + remainder, with 0 <= remainder < partitions.
  private final long quotient;
  private final long remainder;

  private PartitionScheme(int partitions) {
    this.partitions = partitions;
    long q = Long.divideUnsigned(-1L, partitions); // (2^64 - 1) / P
    long r = Long.remainderUnsigned(-1L, partitions) + 1; // may equal P
    if (r == partitions) {
      q++;
      r = 0;
    }
    this.quotient = q;
    this.remainder = r;
  }

  /**
   * The scheme with {@code partitions} equal ranges.
   *
   * @throws IllegalArgumentException unless 1 &le; partitions &le; {@value #MAX_PARTITIONS}
   */
  public static PartitionScheme of(int partitions) {
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new IllegalArgumentException(
          "partition count must be between 1 and " + MAX_PARTITIONS + "; got " + partitions);
    }
    return new PartitionScheme(partitions);
  }

  public int partitionCount() {
    return partitions;
  }

  /** The partition that holds {@code hash} (read as unsigned): always in {@code [0, P)}. */
  public int partitionOf(long hash) {
    // The high 64 bits of the unsigned 128-bit product hash * P. multiplyHigh is signed; when the
    // sign bit of hash is set, the signed product is short by P * 2^64, so add P back.
    long high = Math.multiplyHigh(hash, partitions) + ((hash >> 63) & partitions);
    return (int) high;
  }

  /** The partition that holds {@code key}, hash tags honoured ({@link KeyHasher#hashKey}). */
  public int partitionOf(byte[] key) {
    return partitionOf(KeyHasher.hashKey(key));
  }

  /** The hash range of partition {@code p}. */
  public HashRange range(int p) {
    if (p < 0 || p >= partitions) {
      throw new IndexOutOfBoundsException("partition " + p + " not in [0, " + partitions + ")");
    }
    long end = p == partitions - 1 ? 0L : start(p + 1); // 0 reads as 2^64, see HashRange
    return new HashRange(start(p), end);
  }

  /** ceil(p * 2^64 / P) for 0 &le; p &lt; P, computed exactly in longs. */
  private long start(int p) {
    // p * 2^64 / P = p * quotient + p * remainder / P; p * remainder < P^2 <= 2^24, no overflow,
    // and the sum is below 2^64 because p < P.
    long rem = p * remainder;
    return p * quotient + (rem + partitions - 1) / partitions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartitionScheme other && other.partitions == partitions;
  }

  @Override
  public int hashCode() {
    return partitions;
  }

  @Override
  public String toString() {
    return "PartitionScheme[" + partitions + " partitions]";
  }
}

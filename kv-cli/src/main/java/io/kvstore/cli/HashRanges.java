package io.kvstore.cli;

import io.kvstore.core.ring.HashRange;

/**
 * How the CLI writes points and ranges of the unsigned 64-bit hash space: 16 lower-case hex digits
 * (zero-padded, so ranges line up and sort as text), or unsigned decimal. A range is shown with its
 * <em>inclusive</em> end, {@code 0000000000000000-0fffffffffffffff}, because the exclusive end of
 * the last range, 2<sup>64</sup>, has no 16-digit form.
 */
final class HashRanges {
  private HashRanges() {}

  /** {@code hash} as an unsigned value in 16 hex digits. */
  static String hex(long hash) {
    String digits = Long.toHexString(hash);
    return "0".repeat(16 - digits.length()) + digits;
  }

  /** {@code hash} as an unsigned decimal number. */
  static String decimal(long hash) {
    return Long.toUnsignedString(hash);
  }

  /** {@code start-endInclusive} in hex. */
  static String format(HashRange range) {
    return hex(range.startInclusive()) + "-" + hex(range.endInclusive());
  }

  /**
   * The range a cluster map states as {@code [start, end)}, unsigned, where an end of 0 means
   * 2<sup>64</sup>.
   *
   * @throws IncompatibleMapException if the range is empty or inverted
   */
  static HashRange fromMap(int partition, long start, long endExclusive) {
    try {
      return new HashRange(start, endExclusive);
    } catch (IllegalArgumentException e) {
      throw new IncompatibleMapException(
          "the cluster map's partition " + partition + " has an invalid range: " + e.getMessage());
    }
  }
}

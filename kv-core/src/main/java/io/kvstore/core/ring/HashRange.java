package io.kvstore.core.ring;

import java.math.BigInteger;

/**
 * A non-empty range {@code [startInclusive, endExclusive)} of the unsigned 64-bit hash space.
 *
 * <p>Both bounds are unsigned longs. The space ends at 2<sup>64</sup>, which a long cannot hold: a
 * range that reaches the top of the space has {@code endExclusive == 0} (2<sup>64</sup> mod
 * 2<sup>64</sup>) and {@link #endsAtTop()} true. Because a range is never empty, that reading is
 * unambiguous, and {@link #endInclusive()} ({@code endExclusive - 1}) is always exact. Compare
 * bounds with {@link Long#compareUnsigned}, never with {@code <}.
 */
public record HashRange(long startInclusive, long endExclusive) {
  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

  public HashRange {
    // endExclusive - 1 wraps to 2^64 - 1 for a range ending at the top, so one check covers both.
    if (Long.compareUnsigned(startInclusive, endExclusive - 1) > 0) {
      throw new IllegalArgumentException(
          "empty or inverted hash range: start "
              + Long.toUnsignedString(startInclusive)
              + ", end "
              + Long.toUnsignedString(endExclusive));
    }
  }

  /** True if this range runs to the end of the hash space (its exclusive end is 2<sup>64</sup>). */
  public boolean endsAtTop() {
    return endExclusive == 0;
  }

  /** The last hash in the range (exact, even for the range that ends at 2<sup>64</sup>). */
  public long endInclusive() {
    return endExclusive - 1;
  }

  public boolean contains(long hash) {
    return Long.compareUnsigned(hash, startInclusive) >= 0
        && Long.compareUnsigned(hash, endInclusive()) <= 0;
  }

  /** The number of hashes in the range, as an unsigned long; 0 stands for 2<sup>64</sup>. */
  public long size() {
    return endExclusive - startInclusive;
  }

  @Override
  public String toString() {
    BigInteger end = endsAtTop() ? TWO_TO_64 : new BigInteger(Long.toUnsignedString(endExclusive));
    return "[" + Long.toUnsignedString(startInclusive) + ", " + end + ")";
  }
}

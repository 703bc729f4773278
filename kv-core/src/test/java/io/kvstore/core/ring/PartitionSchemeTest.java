package io.kvstore.core.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionSchemeTest {
  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

  private static BigInteger unsigned(long v) {
    return new BigInteger(Long.toUnsignedString(v));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 4097, Integer.MAX_VALUE, Integer.MIN_VALUE})
  void of_rejectsCountsOutsideOneTo4096(int partitions) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PartitionScheme.of(partitions));
    assertEquals("partition count must be between 1 and 4096; got " + partitions, e.getMessage());
  }

  static LongStream seeds() {
    return LongStream.range(0, 10);
  }

  // Random hashes plus the edges of the signed and unsigned ranges, for random counts.
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void partitionOf_everyHashFallsInItsPartitionsRangeAndMatchesTheExactFormula(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      int count = 1 + random.nextInt(PartitionScheme.MAX_PARTITIONS);
      PartitionScheme scheme = PartitionScheme.of(count);
      long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
      for (int i = 0; i < 200 + edges.length; i++) {
        long hash = i < edges.length ? edges[i] : random.nextLong();
        int p = scheme.partitionOf(hash);
        assertTrue(p >= 0 && p < count, () -> "partition " + p + " of " + count);
        assertTrue(scheme.range(p).contains(hash), () -> Long.toUnsignedString(hash));
        BigInteger exact = unsigned(hash).multiply(BigInteger.valueOf(count)).shiftRight(64);
        assertEquals(exact.intValueExact(), p);
      }
    }
  }

  // Exhaustive over every allowed count: ranges start at 0, abut, end at 2^64, and their
  // boundary hashes belong to them (so no hash is in two ranges or in none).
  @Test
  void range_rangesTileTheWholeSpaceForEveryCount() {
    for (int count = 1; count <= PartitionScheme.MAX_PARTITIONS; count++) {
      PartitionScheme scheme = PartitionScheme.of(count);
      long expectedStart = 0;
      for (int p = 0; p < count; p++) {
        HashRange range = scheme.range(p);
        assertEquals(expectedStart, range.startInclusive());
        assertEquals(p, scheme.partitionOf(range.startInclusive()));
        assertEquals(p, scheme.partitionOf(range.endInclusive()));
        assertEquals(p == count - 1, range.endsAtTop());
        expectedStart = range.endExclusive();
      }
      assertEquals(0, expectedStart); // wrapped: the last range ended at 2^64
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 64, 1000, 4095, 4096})
  void range_startIsTheCeilingOfPTimes2To64OverCount(int count) {
    PartitionScheme scheme = PartitionScheme.of(count);
    BigInteger n = BigInteger.valueOf(count);
    for (int p = 0; p < count; p++) {
      BigInteger[] qr = BigInteger.valueOf(p).shiftLeft(64).divideAndRemainder(n);
      BigInteger ceiling = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
      assertEquals(ceiling, unsigned(scheme.range(p).startInclusive()));
    }
  }

  @Test
  void range_sizesDifferByAtMostOne() {
    PartitionScheme scheme = PartitionScheme.of(3);
    BigInteger third = TWO_TO_64.divide(BigInteger.valueOf(3));
    for (int p = 0; p < 3; p++) {
      BigInteger size =
          scheme.range(p).endsAtTop()
              ? TWO_TO_64.subtract(unsigned(scheme.range(p).startInclusive()))
              : unsigned(scheme.range(p).size());
      assertTrue(size.subtract(third).abs().compareTo(BigInteger.ONE) <= 0, size::toString);
    }
  }

  @Test
  void range_singlePartitionCoversEverything() {
    HashRange all = PartitionScheme.of(1).range(0);
    assertEquals(0, all.startInclusive());
    assertTrue(all.endsAtTop());
    assertEquals(-1L, all.endInclusive());
    assertTrue(all.contains(0) && all.contains(-1) && all.contains(Long.MIN_VALUE));
    assertEquals("[0, 18446744073709551616)", all.toString());
  }

  @Test
  void range_halvesSplitAtTwoTo63() {
    PartitionScheme two = PartitionScheme.of(2);
    assertEquals(new HashRange(0, Long.MIN_VALUE), two.range(0));
    assertEquals(new HashRange(Long.MIN_VALUE, 0), two.range(1));
    assertEquals("[9223372036854775808, 18446744073709551616)", two.range(1).toString());
    assertFalse(two.range(0).contains(Long.MIN_VALUE));
  }

  @Test
  void range_rejectsPartitionsOutsideTheScheme() {
    PartitionScheme scheme = PartitionScheme.of(8);
    assertThrows(IndexOutOfBoundsException.class, () -> scheme.range(8));
    assertThrows(IndexOutOfBoundsException.class, () -> scheme.range(-1));
  }

  @Test
  void hashRange_rejectsEmptyOrInvertedRanges() {
    assertThrows(IllegalArgumentException.class, () -> new HashRange(5, 5));
    assertThrows(IllegalArgumentException.class, () -> new HashRange(-1, 5));
  }

  @Test
  void partitionOf_keyUsesTheHashTag() {
    PartitionScheme scheme = PartitionScheme.of(4096);
    byte[] tag = "account-7".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        scheme.partitionOf(KeyHasher.xxh64(tag)),
        scheme.partitionOf("balance:{account-7}".getBytes(StandardCharsets.UTF_8)));
  }
}

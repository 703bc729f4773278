package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.core.ring.HashRange;
import io.kvstore.core.ring.PartitionScheme;
import org.junit.jupiter.api.Test;

class HashRangesTest {

  @Test
  void hex_isSixteenZeroPaddedLowerCaseDigitsOfTheUnsignedValue() {
    assertEquals("0000000000000000", HashRanges.hex(0));
    assertEquals("0000000000000001", HashRanges.hex(1));
    assertEquals("8000000000000000", HashRanges.hex(Long.MIN_VALUE));
    assertEquals("ffffffffffffffff", HashRanges.hex(-1));
  }

  @Test
  void decimal_isUnsigned() {
    assertEquals("0", HashRanges.decimal(0));
    assertEquals("9223372036854775808", HashRanges.decimal(Long.MIN_VALUE));
    assertEquals("18446744073709551615", HashRanges.decimal(-1));
  }

  @Test
  void format_firstOfSixteenPartitionsEndsInclusivelyBeforeTheSecond() {
    PartitionScheme s = PartitionScheme.of(16);
    assertEquals("0000000000000000-0fffffffffffffff", HashRanges.format(s.range(0)));
    assertEquals("1000000000000000-1fffffffffffffff", HashRanges.format(s.range(1)));
  }

  @Test
  void format_theRangeEndingAtTwoToTheSixtyFourEndsAtAllFs() {
    // Its exclusive end, 2^64, is held as 0; the inclusive end is exact.
    assertEquals(
        "f000000000000000-ffffffffffffffff", HashRanges.format(PartitionScheme.of(16).range(15)));
    assertEquals(
        "0000000000000000-ffffffffffffffff", HashRanges.format(PartitionScheme.of(1).range(0)));
  }

  @Test
  void format_unevenSplitsUseTheSchemesExactCeilingBoundaries() {
    // 2^64 / 3 = 6148914691236517205.33...: partition 1 starts at the ceiling, ...206.
    PartitionScheme s = PartitionScheme.of(3);
    assertEquals("0000000000000000-5555555555555555", HashRanges.format(s.range(0)));
    assertEquals("5555555555555556-aaaaaaaaaaaaaaaa", HashRanges.format(s.range(1)));
    assertEquals("aaaaaaaaaaaaaaab-ffffffffffffffff", HashRanges.format(s.range(2)));
  }

  @Test
  void format_consecutiveRangesTileTheWholeSpaceWithoutGapsOrOverlap() {
    for (int p : new int[] {1, 2, 3, 7, 16, 100, 4096}) {
      PartitionScheme s = PartitionScheme.of(p);
      long expectedStart = 0;
      for (int i = 0; i < p; i++) {
        String[] bounds = HashRanges.format(s.range(i)).split("-");
        assertEquals(HashRanges.hex(expectedStart), bounds[0], "start of " + i + " of " + p);
        expectedStart = Long.parseUnsignedLong(bounds[1], 16) + 1;
      }
      assertEquals(0, expectedStart, "the last range of " + p + " must end at 2^64 - 1");
    }
  }

  @Test
  void fromMap_readsAnEndOfZeroAsTwoToTheSixtyFour() {
    HashRange r = HashRanges.fromMap(15, 0xf000000000000000L, 0);
    assertEquals("f000000000000000-ffffffffffffffff", HashRanges.format(r));
  }

  @Test
  void fromMap_refusesAnEmptyOrInvertedRangeAsAnIncompatibleMap() {
    assertThrows(IncompatibleMapException.class, () -> HashRanges.fromMap(3, 10, 10));
    assertThrows(IncompatibleMapException.class, () -> HashRanges.fromMap(3, 10, 5));
  }
}

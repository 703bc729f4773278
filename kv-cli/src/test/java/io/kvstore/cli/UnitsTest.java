package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void duration_showsTheTwoLargestUnits() {
    assertEquals("0s", Units.duration(999));
    assertEquals("42s", Units.duration(42_000));
    assertEquals("5m7s", Units.duration((5 * 60 + 7) * 1000));
    assertEquals("3h4m", Units.duration(((3 * 60 + 4) * 60 + 59) * 1000L));
    assertEquals("2d3h", Units.duration(((2 * 24 + 3) * 3600 + 1) * 1000L));
  }

  @Test
  void bytes_usesBinaryUnitsWithOneDecimalAboveOneKibibyte() {
    assertEquals("0 B", Units.bytes(0));
    assertEquals("1023 B", Units.bytes(1023));
    assertEquals("1.0 KiB", Units.bytes(1024));
    assertEquals("1.5 KiB", Units.bytes(1536));
    assertEquals("12.0 MiB", Units.bytes(12L << 20));
    assertEquals("8.0 EiB", Units.bytes(Long.MAX_VALUE));
  }
}

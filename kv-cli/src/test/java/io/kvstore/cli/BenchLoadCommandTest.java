package io.kvstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code kv bench load} without a cluster: sizes, key names, bad input. */
class BenchLoadCommandTest {
  @Test
  void parseBytes_acceptsBinaryUnits() {
    assertEquals(123, BenchLoadCommand.parseBytes("123"));
    assertEquals(512L << 10, BenchLoadCommand.parseBytes("512k"));
    assertEquals(64L << 20, BenchLoadCommand.parseBytes("64M"));
    assertEquals(8L << 30, BenchLoadCommand.parseBytes("8g"));
    assertEquals(8L << 30, BenchLoadCommand.parseBytes("8GB"));
    assertEquals(3L << 29, BenchLoadCommand.parseBytes("1.5g"));
  }

  @Test
  void parseBytes_refusesNonSizes() {
    for (String bad : new String[] {"", "g", "-1g", "0", "12x", "1e30"}) {
      assertThrows(InputException.class, () -> BenchLoadCommand.parseBytes(bad), bad);
    }
  }

  @Test
  void keys_areNamedLikeBenchRead() {
    assertArrayEquals(
        "k000000000000042".getBytes(StandardCharsets.US_ASCII), BenchLoadCommand.key(42, 16));
    assertArrayEquals("k0000007".getBytes(StandardCharsets.US_ASCII), BenchLoadCommand.key(7, 8));
  }

  @Test
  void badBytes_isAOneLineUsageError() {
    CliRun r = CliRun.run("--endpoints", "127.0.0.1:1", "bench", "load", "--bytes", "lots");
    assertEquals(ExitCodes.USAGE, r.exitCode(), r.describe());
    assertTrue(r.err().contains("--bytes"), r.describe());
    assertEquals(1, r.err().strip().lines().count(), r.describe());
    assertFalse(r.err().contains("Exception"), r.describe());
  }
}

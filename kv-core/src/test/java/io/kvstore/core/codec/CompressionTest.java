package io.kvstore.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.command.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionTest {
  /** A bank-account-like JSON document of roughly {@code targetBytes}. */
  static byte[] accountJson(Random rnd, int targetBytes) {
    StringBuilder sb = new StringBuilder(targetBytes + 200);
    sb.append("{\"accountId\":\"ACC-").append(100000 + rnd.nextInt(900000)).append('"');
    sb.append(",\"owner\":{\"name\":\"Customer ").append(rnd.nextInt(100000));
    sb.append("\",\"segment\":\"").append(rnd.nextBoolean() ? "retail" : "business");
    sb.append("\",\"country\":\"").append(new String[] {"DE", "FR", "NL", "IT"}[rnd.nextInt(4)]);
    sb.append("\"},\"currency\":\"EUR\",\"balance\":").append(rnd.nextInt(10_000_000) / 100.0);
    sb.append(",\"transactions\":[");
    boolean first = true;
    while (sb.length() < targetBytes) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append("{\"id\":\"TX").append(Long.toHexString(rnd.nextLong()));
      sb.append("\",\"type\":\"").append(rnd.nextBoolean() ? "debit" : "credit");
      sb.append("\",\"amount\":").append(rnd.nextInt(100_000) / 100.0);
      sb.append(",\"bookedAt\":\"2026-11-").append(10 + rnd.nextInt(18)).append('T');
      sb.append(10 + rnd.nextInt(13)).append(':').append(10 + rnd.nextInt(49)).append(":00Z\"");
      sb.append(",\"status\":\"settled\",\"channel\":\"")
          .append(new String[] {"card", "sepa", "instant"}[rnd.nextInt(3)])
          .append("\"}");
    }
    sb.append("]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyCodec_roundTripsAndReadsOthersTags() {
    Random rnd = new Random(3);
    byte[] value = accountJson(rnd, 2000);
    for (Compression c :
        new Compression[] {
          Compression.NONE, Compression.DEFAULT, new Compression(Compression.Codec.ZSTD, 256)
        }) {
      VersionedValue back =
          ValueCodec.decode(ValueCodec.encode(new VersionedValue(value, 9, 4), c));
      assertArrayEquals(value, back.value(), c.toString());
      assertEquals(9, back.version());
      assertEquals(4, back.createVersion());
    }
  }

  @Test
  void smallOrIncompressibleValues_areStoredRaw() {
    byte[] small = "tiny".getBytes(StandardCharsets.UTF_8);
    byte[] random = new byte[4096];
    new Random(1).nextBytes(random);
    for (byte[] v : new byte[][] {small, random}) {
      byte[] stored = ValueCodec.encode(new VersionedValue(v, 1, 1), Compression.DEFAULT);
      assertEquals(Compression.Codec.NONE.tag, stored[17]);
      assertArrayEquals(v, ValueCodec.decode(stored).value());
    }
  }

  @Test
  void realisticJson_compressesAndTheRatioIsReported() {
    Random rnd = new Random(11);
    long raw = 0;
    long lz4 = 0;
    long zstd = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] v = accountJson(rnd, 500 + rnd.nextInt(3500));
      raw += v.length;
      lz4 += ValueCodec.encode(new VersionedValue(v, 1, 1), Compression.DEFAULT).length - 18;
      zstd +=
          ValueCodec.encode(
                      new VersionedValue(v, 1, 1), new Compression(Compression.Codec.ZSTD, 256))
                  .length
              - 18;
    }
    double lz4Ratio = (double) raw / lz4;
    double zstdRatio = (double) raw / zstd;
    System.out.printf(
        "compression of 2000 JSON values of 0.5-4 KB: raw %d B, lz4 %.2fx, zstd-3 %.2fx%n",
        raw, lz4Ratio, zstdRatio);
    assertTrue(lz4Ratio > 1.3, "lz4 ratio " + lz4Ratio);
    assertTrue(zstdRatio > lz4Ratio, "zstd " + zstdRatio + " vs lz4 " + lz4Ratio);
  }
}

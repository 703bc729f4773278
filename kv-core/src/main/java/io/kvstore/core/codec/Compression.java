package io.kvstore.core.codec;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;
import java.util.Locale;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Transparent per-value compression of stored values. A value of at least {@code minBytes} is
 * compressed with the chosen codec and kept compressed only if that saves at least 10%; every
 * stored value carries a one-byte codec tag, so the setting can change at any time and every
 * replica reads every tag, whatever its own setting.
 */
public record Compression(Codec codec, int minBytes) {
  /** Codec tags as stored; never renumber. */
  public enum Codec {
    NONE(0),
    LZ4(1),
    ZSTD(2);

    final int tag;

    Codec(int tag) {
      this.tag = tag;
    }

    public static Codec parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown compression '" + name + "' (none, lz4, zstd)");
      }
    }
  }

  public static final Compression NONE = new Compression(Codec.NONE, Integer.MAX_VALUE);
  public static final Compression DEFAULT = new Compression(Codec.LZ4, 256);

  private static final LZ4Compressor LZ4_COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
  private static final LZ4SafeDecompressor LZ4_DECOMPRESSOR =
      LZ4Factory.fastestInstance().safeDecompressor();
  private static final int ZSTD_LEVEL = 3;

  /** The payload to store after the tag: compressed (with its length) or the value itself. */
  Encoded compress(byte[] value) {
    if (codec == Codec.NONE || value.length < minBytes) {
      return new Encoded(Codec.NONE.tag, value);
    }
    byte[] packed =
        switch (codec) {
          case LZ4 -> LZ4_COMPRESSOR.compress(value);
          case ZSTD -> Zstd.compress(value, ZSTD_LEVEL);
          default -> value;
        };
    if (packed.length + 5 > value.length * 9L / 10) {
      return new Encoded(Codec.NONE.tag, value);
    }
    ByteWriter w = new ByteWriter(packed.length + 5);
    w.varint(value.length).raw(packed);
    return new Encoded(codec.tag, w.toByteArray());
  }

  /** A tagged payload. */
  record Encoded(int tag, byte[] payload) {}

  static byte[] decompress(int tag, byte[] payload) {
    if (tag == Codec.NONE.tag) {
      return payload;
    }
    ByteReader r = new ByteReader(payload);
    int length = r.varint();
    byte[] packed = r.rest();
    if (tag == Codec.LZ4.tag) {
      byte[] out = new byte[length];
      int n = LZ4_DECOMPRESSOR.decompress(packed, 0, packed.length, out, 0);
      if (n != length) {
        throw new CodecException("lz4 value decompressed to " + n + " of " + length + " bytes");
      }
      return out;
    }
    if (tag == Codec.ZSTD.tag) {
      byte[] out = Zstd.decompress(packed, length);
      if (out.length != length) {
        throw new CodecException("zstd value decompressed to " + out.length + " bytes");
      }
      return Arrays.copyOf(out, length);
    }
    throw new CodecException("unknown value codec tag " + tag);
  }
}

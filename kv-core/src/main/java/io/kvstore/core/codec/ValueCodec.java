package io.kvstore.core.codec;

import io.kvstore.core.command.VersionedValue;

/**
 * How a key's value is stored: {@code format (u8 = 1) | version (i64) | create version (i64) |
 * codec tag (u8: 0 raw, 1 lz4, 2 zstd) | payload}; a compressed payload is {@code original length
 * (varint) | compressed bytes}. The tag lets compression settings change without rewriting stored
 * data (see {@link Compression}).
 */
public final class ValueCodec {
  static final int FORMAT = 1;

  private ValueCodec() {}

  /** Encodes without compression. */
  public static byte[] encode(VersionedValue v) {
    return encode(v, Compression.NONE);
  }

  public static byte[] encode(VersionedValue v, Compression compression) {
    Compression.Encoded e = compression.compress(v.value());
    return new ByteWriter(e.payload().length + 18)
        .u8(FORMAT)
        .i64(v.version())
        .i64(v.createVersion())
        .u8(e.tag())
        .raw(e.payload())
        .toByteArray();
  }

  public static VersionedValue decode(byte[] stored) {
    ByteReader r = new ByteReader(stored);
    int format = r.u8();
    if (format != FORMAT) {
      throw new CodecException("unknown stored value format " + format);
    }
    long version = r.i64();
    long create = r.i64();
    int codec = r.u8();
    return new VersionedValue(Compression.decompress(codec, r.rest()), version, create);
  }
}

package io.kvstore.core.codec;

import io.kvstore.core.command.VersionedValue;

/**
 * How a key's value is stored: {@code format (u8 = 1) | version (i64) | create version (i64) |
 * codec tag (u8: 0 = raw) | value bytes}. The codec tag lets compression settings change without
 * rewriting stored data.
 */
public final class ValueCodec {
  static final int FORMAT = 1;
  static final int RAW = 0;

  private ValueCodec() {}

  public static byte[] encode(VersionedValue v) {
    return new ByteWriter(v.value().length + 18)
        .u8(FORMAT)
        .i64(v.version())
        .i64(v.createVersion())
        .u8(RAW)
        .raw(v.value())
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
    if (codec != RAW) {
      throw new CodecException("unknown value codec tag " + codec);
    }
    return new VersionedValue(r.rest(), version, create);
  }
}

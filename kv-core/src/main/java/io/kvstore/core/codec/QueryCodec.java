package io.kvstore.core.codec;

import io.kvstore.core.command.VersionedValue;

/**
 * Read-only queries sent to a replica's state machine, and their replies.
 *
 * <ul>
 *   <li>query {@code 0x11} GET: key
 *   <li>reply {@code 0x91} FOUND: version (i64), create version (i64), value (rest)
 *   <li>reply {@code 0x92} NOT_FOUND
 * </ul>
 */
public final class QueryCodec {
  static final int GET = 0x11;
  static final int FOUND = 0x91;
  static final int NOT_FOUND = 0x92;

  private QueryCodec() {}

  /** A decoded query. */
  public sealed interface Query permits Get {}

  /** Read one key. */
  public record Get(byte[] key) implements Query {}

  public static byte[] encodeGet(byte[] key) {
    return new ByteWriter(key.length + 6).u8(GET).bytes(key).toByteArray();
  }

  public static Query decode(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    int op = r.u8();
    if (op != GET) {
      throw new CodecException(String.format("unknown query opcode 0x%02x", op));
    }
    Get g = new Get(r.bytes());
    r.end();
    return g;
  }

  /** Encodes the reply to a GET; {@code value} null means not found. */
  public static byte[] encodeGetReply(VersionedValue value) {
    if (value == null) {
      return new byte[] {(byte) NOT_FOUND};
    }
    return new ByteWriter(value.value().length + 17)
        .u8(FOUND)
        .i64(value.version())
        .i64(value.createVersion())
        .raw(value.value())
        .toByteArray();
  }

  /** Decodes the reply to a GET; null means not found. */
  public static VersionedValue decodeGetReply(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    int op = r.u8();
    if (op == NOT_FOUND) {
      r.end();
      return null;
    }
    if (op != FOUND) {
      throw new CodecException(String.format("unknown get reply opcode 0x%02x", op));
    }
    long version = r.i64();
    long create = r.i64();
    return new VersionedValue(r.rest(), version, create);
  }
}

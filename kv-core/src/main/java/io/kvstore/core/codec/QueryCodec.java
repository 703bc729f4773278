package io.kvstore.core.codec;

import io.kvstore.core.command.VersionedValue;

/**
 * Read-only queries sent to a replica's state machine, and their replies.
 *
 * <ul>
 *   <li>query {@code 0x11} GET: key
 *   <li>reply {@code 0x91} FOUND: version (i64), create version (i64), value (rest)
 *   <li>reply {@code 0x92} NOT_FOUND
 *   <li>query {@code 0x12} SCAN: start (empty: from the first key), end (empty: to the last), limit
 *       (varint)
 *   <li>reply {@code 0x93} ENTRIES: more (u8), count (varint), each key, version, create version,
 *       value
 * </ul>
 */
public final class QueryCodec {
  static final int GET = 0x11;
  static final int FOUND = 0x91;
  static final int NOT_FOUND = 0x92;
  static final int SCAN = 0x12;
  static final int ENTRIES = 0x93;

  private QueryCodec() {}

  /** A decoded query. */
  public sealed interface Query permits Get, Scan {}

  /** Read one key. */
  public record Get(byte[] key) implements Query {}

  /** Keys in [start, end) in order, at most {@code limit}; null bounds are open. */
  public record Scan(byte[] start, byte[] end, int limit) implements Query {}

  /** One scanned entry. */
  public record Entry(byte[] key, VersionedValue value) {}

  /** A scan's reply: entries in key order, and whether more keys follow in the range. */
  public record ScanReply(java.util.List<Entry> entries, boolean more) {}

  public static byte[] encodeScan(byte[] start, byte[] end, int limit) {
    return new ByteWriter(32 + (start == null ? 0 : start.length) + (end == null ? 0 : end.length))
        .u8(SCAN)
        .bytes(start == null ? new byte[0] : start)
        .bytes(end == null ? new byte[0] : end)
        .varint(limit)
        .toByteArray();
  }

  public static byte[] encodeScanReply(ScanReply reply) {
    ByteWriter w = new ByteWriter(64);
    w.u8(ENTRIES).u8(reply.more() ? 1 : 0).varint(reply.entries().size());
    for (Entry e : reply.entries()) {
      w.bytes(e.key())
          .i64(e.value().version())
          .i64(e.value().createVersion())
          .bytes(e.value().value());
    }
    return w.toByteArray();
  }

  public static ScanReply decodeScanReply(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    int op = r.u8();
    if (op != ENTRIES) {
      throw new CodecException(String.format("unknown scan reply opcode 0x%02x", op));
    }
    boolean more = r.u8() != 0;
    int n = r.varint();
    java.util.List<Entry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] key = r.bytes();
      long version = r.i64();
      long created = r.i64();
      entries.add(new Entry(key, new VersionedValue(r.bytes(), version, created)));
    }
    r.end();
    return new ScanReply(entries, more);
  }

  public static byte[] encodeGet(byte[] key) {
    return new ByteWriter(key.length + 6).u8(GET).bytes(key).toByteArray();
  }

  public static Query decode(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    int op = r.u8();
    Query q;
    if (op == GET) {
      q = new Get(r.bytes());
    } else if (op == SCAN) {
      byte[] start = r.bytes();
      byte[] end = r.bytes();
      q = new Scan(start.length == 0 ? null : start, end.length == 0 ? null : end, r.varint());
    } else {
      throw new CodecException(String.format("unknown query opcode 0x%02x", op));
    }
    r.end();
    return q;
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

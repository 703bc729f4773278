package io.kvstore.core.codec;

import io.kvstore.core.command.Result;
import java.nio.charset.StandardCharsets;

/**
 * State machine reply format for writes.
 *
 * <ul>
 *   <li>{@code 0x81} WRITTEN: version (i64)
 *   <li>{@code 0x82} DELETED: existed (u8), version (i64)
 *   <li>{@code 0x83} CONDITION_FAILED: current version (i64)
 *   <li>{@code 0x8f} REJECTED: reason (UTF-8, varint length)
 * </ul>
 */
public final class ResultCodec {
  static final int WRITTEN = 0x81;
  static final int DELETED = 0x82;
  static final int CONDITION_FAILED = 0x83;
  static final int REJECTED = 0x8f;

  private ResultCodec() {}

  public static byte[] encode(Result r) {
    ByteWriter w = new ByteWriter(16);
    if (r instanceof Result.Written x) {
      w.u8(WRITTEN).i64(x.version());
    } else if (r instanceof Result.Deleted x) {
      w.u8(DELETED).u8(x.existed() ? 1 : 0).i64(x.version());
    } else if (r instanceof Result.ConditionFailed x) {
      w.u8(CONDITION_FAILED).i64(x.currentVersion());
    } else if (r instanceof Result.Rejected x) {
      w.u8(REJECTED).bytes(x.reason().getBytes(StandardCharsets.UTF_8));
    } else {
      throw new CodecException("no opcode for " + r.getClass().getSimpleName());
    }
    return w.toByteArray();
  }

  public static Result decode(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    int op = r.u8();
    Result out =
        switch (op) {
          case WRITTEN -> new Result.Written(r.i64());
          case DELETED -> new Result.Deleted(r.u8() != 0, r.i64());
          case CONDITION_FAILED -> new Result.ConditionFailed(r.i64());
          case REJECTED -> new Result.Rejected(new String(r.bytes(), StandardCharsets.UTF_8));
          default -> throw new CodecException(String.format("unknown result opcode 0x%02x", op));
        };
    r.end();
    return out;
  }
}

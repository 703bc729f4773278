package io.kvstore.core.codec;

import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * State machine reply format for writes.
 *
 * <ul>
 *   <li>{@code 0x81} WRITTEN: version (i64)
 *   <li>{@code 0x82} DELETED: existed (u8), version (i64)
 *   <li>{@code 0x83} CONDITION_FAILED: current version (i64)
 *   <li>{@code 0x84} TXN_DONE: succeeded (u8), version (i64), results (varint count; each kind u8:
 *       1 put, 2 delete + existed u8, 3 get + found u8 [+ version, create version, value])
 *   <li>{@code 0x85} MARKED: log index (i64)
 *   <li>{@code 0x88} BATCH (reply to a batch entry): varint count, then each element as varint
 *       length + one complete result of the kinds above, in the order of the batch
 *   <li>{@code 0x8f} REJECTED: reason (UTF-8, varint length)
 * </ul>
 */
public final class ResultCodec {
  static final int WRITTEN = 0x81;
  static final int DELETED = 0x82;
  static final int CONDITION_FAILED = 0x83;
  static final int TXN_DONE = 0x84;
  static final int MARKED = 0x85;
  static final int REJECTED = 0x8f;
  static final int BATCH = 0x88;

  private ResultCodec() {}

  /** The reply to a batch entry: the results of its elements, in order. */
  public static byte[] encodeBatch(List<Result> results) {
    List<byte[]> parts = new ArrayList<>(results.size());
    int size = 6;
    for (Result r : results) {
      byte[] b = encode(r);
      parts.add(b);
      size += b.length + 5;
    }
    ByteWriter w = new ByteWriter(size);
    w.u8(BATCH).varint(parts.size());
    for (byte[] b : parts) {
      w.bytes(b);
    }
    return w.toByteArray();
  }

  /** Splits a batch reply into the encoded result of each element (each for {@link #decode}). */
  public static List<byte[]> decodeBatch(byte[] reply) {
    ByteReader r = new ByteReader(reply);
    int op = r.u8();
    if (op != BATCH) {
      throw new CodecException(String.format("not a batch reply: opcode 0x%02x", op));
    }
    int n = r.varint();
    if (n < 0 || n > CommandCodec.MAX_BATCH) {
      throw new CodecException("implausible batch size " + n);
    }
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(r.bytes());
    }
    r.end();
    return out;
  }

  public static byte[] encode(Result r) {
    ByteWriter w = new ByteWriter(16);
    if (r instanceof Result.Written x) {
      w.u8(WRITTEN).i64(x.version());
    } else if (r instanceof Result.Deleted x) {
      w.u8(DELETED).u8(x.existed() ? 1 : 0).i64(x.version());
    } else if (r instanceof Result.ConditionFailed x) {
      w.u8(CONDITION_FAILED).i64(x.currentVersion());
    } else if (r instanceof Result.TxnDone x) {
      w.u8(TXN_DONE).u8(x.succeeded() ? 1 : 0).i64(x.version()).varint(x.results().size());
      for (Result.OpResult o : x.results()) {
        if (o instanceof Result.PutDone) {
          w.u8(1);
        } else if (o instanceof Result.DeleteDone d) {
          w.u8(2).u8(d.existed() ? 1 : 0);
        } else {
          VersionedValue v = ((Result.GetDone) o).value();
          w.u8(3).u8(v == null ? 0 : 1);
          if (v != null) {
            w.i64(v.version()).i64(v.createVersion()).bytes(v.value());
          }
        }
      }
    } else if (r instanceof Result.Marked x) {
      w.u8(MARKED).i64(x.index());
    } else if (r instanceof Result.Rejected x) {
      w.u8(REJECTED).bytes(x.reason().getBytes(StandardCharsets.UTF_8));
    } else {
      throw new CodecException("no opcode for " + r.getClass().getSimpleName());
    }
    return w.toByteArray();
  }

  private static Result.TxnDone txnDone(ByteReader r) {
    boolean succeeded = r.u8() != 0;
    long txnVersion = r.i64();
    int n = r.varint();
    List<Result.OpResult> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = r.u8();
      switch (kind) {
        case 1 -> results.add(new Result.PutDone());
        case 2 -> results.add(new Result.DeleteDone(r.u8() != 0));
        case 3 -> {
          VersionedValue v = null;
          if (r.u8() != 0) {
            long version = r.i64();
            long created = r.i64();
            v = new VersionedValue(r.bytes(), version, created);
          }
          results.add(new Result.GetDone(v));
        }
        default -> throw new CodecException("unknown transaction result kind " + kind);
      }
    }
    return new Result.TxnDone(succeeded, txnVersion, results);
  }

  public static Result decode(byte[] bytes) {
    ByteReader r = new ByteReader(bytes);
    int op = r.u8();
    Result out =
        switch (op) {
          case WRITTEN -> new Result.Written(r.i64());
          case DELETED -> new Result.Deleted(r.u8() != 0, r.i64());
          case CONDITION_FAILED -> new Result.ConditionFailed(r.i64());
          case TXN_DONE -> txnDone(r);
          case MARKED -> new Result.Marked(r.i64());
          case REJECTED -> new Result.Rejected(new String(r.bytes(), StandardCharsets.UTF_8));
          default -> throw new CodecException(String.format("unknown result opcode 0x%02x", op));
        };
    r.end();
    return out;
  }
}

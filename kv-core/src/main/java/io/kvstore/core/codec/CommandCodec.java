package io.kvstore.core.codec;

import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import java.util.ArrayList;
import java.util.List;

/**
 * Log entry format: {@code opcode | client id (2 × i64) | sequence | lowest unacked | body}.
 *
 * <ul>
 *   <li>{@code 0x01} PUT: key (varint length + bytes), value (varint length + bytes)
 *   <li>{@code 0x02} DELETE: key
 *   <li>{@code 0x03} PUT_IF: expected version (i64), key, value
 *   <li>{@code 0x04} TXN: compares (varint count; each key, target u8, relation u8, value bytes,
 *       number i64), success ops, failure ops (varint count; each kind u8 1 put / 2 delete / 3 get,
 *       key, value for put)
 *   <li>{@code 0x05} DELETE_IF: expected version (i64), key
 *   <li>{@code 0x06} COMPUTE_HASH: check id (i64)
 *   <li>{@code 0x07} SNAPSHOT_CUT: cut id (i64)
 *   <li>{@code 0x08} BATCH (no header of its own): varint count, then each element as varint length
 *       + one complete entry of the opcodes above (batches do not nest). Applied in order as one
 *       log entry; the reply is a batch of results ({@link ResultCodec#encodeBatch}).
 * </ul>
 */
public final class CommandCodec {
  static final int PUT = 0x01;
  static final int DELETE = 0x02;
  static final int PUT_IF = 0x03;
  static final int TXN = 0x04;
  static final int DELETE_IF = 0x05;
  static final int COMPUTE_HASH = 0x06;
  static final int SNAPSHOT_CUT = 0x07;
  static final int BATCH = 0x08;

  /** The most elements one batch entry may hold. */
  public static final int MAX_BATCH = 1 << 16;

  private static final int OP_PUT = 1;
  private static final int OP_DELETE = 2;
  private static final int OP_GET = 3;

  private CommandCodec() {}

  public static byte[] encode(Proposal p) {
    Command c = p.command();
    ByteWriter w = new ByteWriter(64 + estimate(c));
    RequestId id = p.requestId();
    if (c instanceof Command.Put put) {
      w.u8(put.conditional() ? PUT_IF : PUT);
      header(w, id);
      if (put.conditional()) {
        w.i64(put.expectedVersion());
      }
      w.bytes(put.key()).bytes(put.value());
    } else if (c instanceof Command.Delete del) {
      w.u8(del.conditional() ? DELETE_IF : DELETE);
      header(w, id);
      if (del.conditional()) {
        w.i64(del.expectedVersion());
      }
      w.bytes(del.key());
    } else if (c instanceof Command.Txn txn) {
      w.u8(TXN);
      header(w, id);
      w.varint(txn.compares().size());
      for (Command.Compare cmp : txn.compares()) {
        w.bytes(cmp.key()).u8(cmp.target().ordinal()).u8(cmp.relation().ordinal());
        w.bytes(cmp.value() == null ? new byte[0] : cmp.value()).i64(cmp.number());
      }
      ops(w, txn.success());
      ops(w, txn.failure());
    } else if (c instanceof Command.ComputeHash hash) {
      w.u8(COMPUTE_HASH);
      header(w, id);
      w.i64(hash.checkId());
    } else if (c instanceof Command.SnapshotCut cut) {
      w.u8(SNAPSHOT_CUT);
      header(w, id);
      w.i64(cut.cutId());
    } else {
      throw new CodecException("no opcode for " + c.getClass().getSimpleName());
    }
    return w.toByteArray();
  }

  /** Joins already encoded single entries (from {@link #encode}) into one batch entry, in order. */
  public static byte[] encodeBatch(List<byte[]> entries) {
    if (entries.isEmpty() || entries.size() > MAX_BATCH) {
      throw new CodecException("a batch holds 1.." + MAX_BATCH + " entries, not " + entries.size());
    }
    int size = 6;
    for (byte[] e : entries) {
      size += e.length + 5;
    }
    ByteWriter w = new ByteWriter(size);
    w.u8(BATCH).varint(entries.size());
    for (byte[] e : entries) {
      if (e.length == 0 || (e[0] & 0xff) == BATCH) {
        throw new CodecException("batches do not nest");
      }
      w.bytes(e);
    }
    return w.toByteArray();
  }

  /** Whether {@code entry} is a batch entry (its reply is a batch of results). */
  public static boolean isBatch(byte[] entry) {
    return entry.length > 0 && (entry[0] & 0xff) == BATCH;
  }

  /** Decodes any entry: a batch into its proposals in order, a single entry into a list of one. */
  public static List<Proposal> decodeAll(byte[] entry) {
    if (!isBatch(entry)) {
      return List.of(decode(entry));
    }
    ByteReader r = new ByteReader(entry);
    r.u8();
    int n = r.varint();
    if (n < 1 || n > MAX_BATCH) {
      throw new CodecException("implausible batch size " + n);
    }
    List<Proposal> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(decode(r.bytes()));
    }
    r.end();
    return out;
  }

  /** Decodes a single (non-batch) entry. */
  public static Proposal decode(byte[] entry) {
    ByteReader r = new ByteReader(entry);
    int op = r.u8();
    RequestId id = new RequestId(r.i64(), r.i64(), r.i64(), r.i64());
    Command c =
        switch (op) {
          case PUT -> new Command.Put(r.bytes(), r.bytes());
          case PUT_IF -> {
            long expected = r.i64();
            yield new Command.Put(r.bytes(), r.bytes(), expected);
          }
          case DELETE -> new Command.Delete(r.bytes());
          case DELETE_IF -> {
            long expected = r.i64();
            yield new Command.Delete(r.bytes(), expected);
          }
          case TXN -> txn(r);
          case COMPUTE_HASH -> new Command.ComputeHash(r.i64());
          case SNAPSHOT_CUT -> new Command.SnapshotCut(r.i64());
          default -> throw new CodecException(String.format("unknown command opcode 0x%02x", op));
        };
    r.end();
    return new Proposal(id, c);
  }

  private static void header(ByteWriter w, RequestId id) {
    w.i64(id.clientHigh()).i64(id.clientLow()).i64(id.sequence()).i64(id.lowestUnacked());
  }

  private static void ops(ByteWriter w, List<Command.Op> ops) {
    w.varint(ops.size());
    for (Command.Op op : ops) {
      if (op instanceof Command.OpPut put) {
        w.u8(OP_PUT).bytes(put.key()).bytes(put.value());
      } else if (op instanceof Command.OpDelete) {
        w.u8(OP_DELETE).bytes(op.key());
      } else {
        w.u8(OP_GET).bytes(op.key());
      }
    }
  }

  private static Command.Txn txn(ByteReader r) {
    int n = count(r);
    List<Command.Compare> compares = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] key = r.bytes();
      Command.Target target = enumAt(Command.Target.values(), r.u8(), "compare target");
      Command.Relation rel = enumAt(Command.Relation.values(), r.u8(), "compare relation");
      compares.add(new Command.Compare(key, target, rel, r.bytes(), r.i64()));
    }
    return new Command.Txn(compares, readOps(r), readOps(r));
  }

  private static List<Command.Op> readOps(ByteReader r) {
    int n = count(r);
    List<Command.Op> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = r.u8();
      ops.add(
          switch (kind) {
            case OP_PUT -> new Command.OpPut(r.bytes(), r.bytes());
            case OP_DELETE -> new Command.OpDelete(r.bytes());
            case OP_GET -> new Command.OpGet(r.bytes());
            default -> throw new CodecException("unknown transaction op kind " + kind);
          });
    }
    return ops;
  }

  private static int count(ByteReader r) {
    int n = r.varint();
    if (n > 1 << 16) {
      throw new CodecException("implausible element count " + n);
    }
    return n;
  }

  private static <E> E enumAt(E[] values, int i, String what) {
    if (i >= values.length) {
      throw new CodecException("unknown " + what + " " + i);
    }
    return values[i];
  }

  private static int estimate(Command c) {
    if (c instanceof Command.Put put) {
      return put.key().length + put.value().length;
    }
    if (c instanceof Command.Delete del) {
      return del.key().length;
    }
    return 256;
  }
}

package io.kvstore.core.codec;

import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;

/**
 * Log entry format: {@code opcode | client id (2 × i64) | sequence | lowest unacked | body}.
 *
 * <ul>
 *   <li>{@code 0x01} PUT: key (varint length + bytes), value (varint length + bytes)
 *   <li>{@code 0x03} PUT_IF: expected version (i64), key, value
 *   <li>{@code 0x02} DELETE: key
 * </ul>
 */
public final class CommandCodec {
  static final int PUT = 0x01;
  static final int DELETE = 0x02;
  static final int PUT_IF = 0x03;

  private CommandCodec() {}

  public static byte[] encode(Proposal p) {
    Command c = p.command();
    int size = 40 + c.key().length + (c instanceof Command.Put put ? put.value().length + 5 : 0);
    ByteWriter w = new ByteWriter(size);
    w.u8(opcode(c));
    RequestId id = p.requestId();
    w.i64(id.clientHigh()).i64(id.clientLow()).i64(id.sequence()).i64(id.lowestUnacked());
    if (c instanceof Command.Put put) {
      if (put.conditional()) {
        w.i64(put.expectedVersion());
      }
      w.bytes(put.key()).bytes(put.value());
    } else {
      w.bytes(c.key());
    }
    return w.toByteArray();
  }

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
          default -> throw new CodecException(String.format("unknown command opcode 0x%02x", op));
        };
    r.end();
    return new Proposal(id, c);
  }

  private static int opcode(Command c) {
    if (c instanceof Command.Put put) {
      return put.conditional() ? PUT_IF : PUT;
    }
    if (c instanceof Command.Delete) {
      return DELETE;
    }
    throw new CodecException("no opcode for " + c.getClass().getSimpleName());
  }
}

package io.kvstore.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {
  private final Random random = new Random(42);

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void put_roundTripsAllFields() {
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 1 << 20}) {
      RequestId id = new RequestId(random.nextLong(), random.nextLong(), 17, 12);
      Proposal p = new Proposal(id, new Command.Put(bytes(1 + size % 1024), bytes(size)));
      Proposal back = CommandCodec.decode(CommandCodec.encode(p));
      assertEquals(id, back.requestId());
      Command.Put put = (Command.Put) back.command();
      assertArrayEquals(p.command().key(), put.key());
      assertArrayEquals(((Command.Put) p.command()).value(), put.value());
    }
  }

  @Test
  void conditionalPut_roundTripsExpectedVersion() {
    for (long expected : new long[] {Command.ABSENT, 1, Long.MAX_VALUE}) {
      Proposal p = new Proposal(RequestId.NONE, new Command.Put(bytes(4), bytes(10), expected));
      Command.Put back = (Command.Put) CommandCodec.decode(CommandCodec.encode(p)).command();
      assertEquals(expected, back.expectedVersion());
    }
    Command.Put plain =
        (Command.Put)
            CommandCodec.decode(
                    CommandCodec.encode(
                        new Proposal(RequestId.NONE, new Command.Put(bytes(4), bytes(10)))))
                .command();
    assertEquals(Command.ANY_VERSION, plain.expectedVersion());
  }

  @Test
  void delete_roundTrips() {
    Proposal p = new Proposal(RequestId.NONE, new Command.Delete(bytes(9)));
    Proposal back = CommandCodec.decode(CommandCodec.encode(p));
    assertTrue(back.command() instanceof Command.Delete);
    assertArrayEquals(p.command().key(), back.command().key());
  }

  @Test
  void decode_unknownOpcodeFailsLoudly() {
    byte[] entry = CommandCodec.encode(new Proposal(RequestId.NONE, new Command.Delete(bytes(3))));
    entry[0] = 0x7e;
    CodecException e = assertThrows(CodecException.class, () -> CommandCodec.decode(entry));
    assertTrue(e.getMessage().contains("0x7e"), e.getMessage());
  }

  @Test
  void decode_truncatedEntryFails() {
    byte[] entry =
        CommandCodec.encode(new Proposal(RequestId.NONE, new Command.Put(bytes(5), bytes(50))));
    byte[] cut = java.util.Arrays.copyOf(entry, entry.length - 1);
    assertThrows(CodecException.class, () -> CommandCodec.decode(cut));
  }

  @Test
  void decode_trailingBytesFail() {
    byte[] entry = CommandCodec.encode(new Proposal(RequestId.NONE, new Command.Delete(bytes(3))));
    byte[] longer = java.util.Arrays.copyOf(entry, entry.length + 1);
    assertThrows(CodecException.class, () -> CommandCodec.decode(longer));
  }

  @Test
  void results_roundTrip() {
    for (Result r :
        new Result[] {
          new Result.Written(99),
          new Result.Deleted(true, 5),
          new Result.Deleted(false, 0),
          new Result.ConditionFailed(3),
          new Result.Rejected("nope ✓")
        }) {
      assertEquals(r, ResultCodec.decode(ResultCodec.encode(r)));
    }
  }

  @Test
  void storedValue_roundTrips() {
    VersionedValue v = new VersionedValue(bytes(300), 12, 7);
    VersionedValue back = ValueCodec.decode(ValueCodec.encode(v));
    assertArrayEquals(v.value(), back.value());
    assertEquals(12, back.version());
    assertEquals(7, back.createVersion());
  }

  @Test
  void getQueryAndReply_roundTrip() {
    byte[] key = bytes(20);
    QueryCodec.Get g = (QueryCodec.Get) QueryCodec.decode(QueryCodec.encodeGet(key));
    assertArrayEquals(key, g.key());
    assertNull(QueryCodec.decodeGetReply(QueryCodec.encodeGetReply(null)));
    VersionedValue v = new VersionedValue(bytes(10), 3, 2);
    VersionedValue back = QueryCodec.decodeGetReply(QueryCodec.encodeGetReply(v));
    assertArrayEquals(v.value(), back.value());
    assertEquals(3, back.version());
    assertEquals(2, back.createVersion());
  }
}

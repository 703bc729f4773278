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
import java.util.List;
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
  void markers_roundTripTheirIdsAndResult() {
    for (long id : new long[] {0, 1, -7, Long.MAX_VALUE, Long.MIN_VALUE}) {
      Command hash =
          CommandCodec.decode(
                  CommandCodec.encode(new Proposal(RequestId.NONE, new Command.ComputeHash(id))))
              .command();
      assertEquals(new Command.ComputeHash(id), hash);
      Command cut =
          CommandCodec.decode(
                  CommandCodec.encode(new Proposal(RequestId.NONE, new Command.SnapshotCut(id))))
              .command();
      assertEquals(new Command.SnapshotCut(id), cut);
    }
    assertEquals(
        0x06, CommandCodec.encode(new Proposal(RequestId.NONE, new Command.ComputeHash(1)))[0]);
    assertEquals(
        0x07, CommandCodec.encode(new Proposal(RequestId.NONE, new Command.SnapshotCut(1)))[0]);
    assertEquals(
        new Result.Marked(99), ResultCodec.decode(ResultCodec.encode(new Result.Marked(99))));
  }

  @Test
  void put_roundTripsAllFields() {
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 1 << 20}) {
      RequestId id = new RequestId(random.nextLong(), random.nextLong(), 17, 12);
      Proposal p = new Proposal(id, new Command.Put(bytes(1 + size % 1024), bytes(size)));
      Proposal back = CommandCodec.decode(CommandCodec.encode(p));
      assertEquals(id, back.requestId());
      Command.Put put = (Command.Put) back.command();
      assertArrayEquals(((Command.Put) p.command()).key(), put.key());
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
  void delete_roundTripsWithAndWithoutCondition() {
    for (long expected : new long[] {Command.ANY_VERSION, Command.ABSENT, 42}) {
      byte[] key = bytes(9);
      Proposal p = new Proposal(RequestId.NONE, new Command.Delete(key, expected));
      Command.Delete back = (Command.Delete) CommandCodec.decode(CommandCodec.encode(p)).command();
      assertArrayEquals(key, back.key());
      assertEquals(expected, back.expectedVersion());
    }
  }

  @Test
  void txn_roundTripsComparesAndBothBranches() {
    Command.Txn txn =
        new Command.Txn(
            List.of(
                new Command.Compare(
                    bytes(3), Command.Target.VALUE, Command.Relation.GREATER, bytes(5), 0),
                new Command.Compare(
                    bytes(3), Command.Target.VERSION, Command.Relation.EQUAL, new byte[0], 9)),
            List.of(
                new Command.OpPut(bytes(2), bytes(7)),
                new Command.OpDelete(bytes(2)),
                new Command.OpGet(bytes(4))),
            List.of(new Command.OpGet(bytes(1))));
    RequestId id = new RequestId(1, 2, 3, 3);
    Proposal back = CommandCodec.decode(CommandCodec.encode(new Proposal(id, txn)));
    assertEquals(id, back.requestId());
    Command.Txn t = (Command.Txn) back.command();
    assertEquals(2, t.compares().size());
    assertEquals(Command.Target.VALUE, t.compares().get(0).target());
    assertEquals(Command.Relation.GREATER, t.compares().get(0).relation());
    assertArrayEquals(txn.compares().get(0).value(), t.compares().get(0).value());
    assertEquals(9, t.compares().get(1).number());
    assertEquals(3, t.success().size());
    assertTrue(t.success().get(0) instanceof Command.OpPut);
    assertArrayEquals(
        ((Command.OpPut) txn.success().get(0)).value(),
        ((Command.OpPut) t.success().get(0)).value());
    assertTrue(t.success().get(1) instanceof Command.OpDelete);
    assertTrue(t.failure().get(0) instanceof Command.OpGet);
    assertArrayEquals(txn.failure().get(0).key(), t.failure().get(0).key());
  }

  @Test
  void txnResult_roundTrips() {
    byte[] value = bytes(12);
    Result.TxnDone done =
        new Result.TxnDone(
            true,
            77,
            List.of(
                new Result.PutDone(),
                new Result.DeleteDone(true),
                new Result.GetDone(null),
                new Result.GetDone(new VersionedValue(value, 70, 12))));
    Result.TxnDone back = (Result.TxnDone) ResultCodec.decode(ResultCodec.encode(done));
    assertTrue(back.succeeded());
    assertEquals(77, back.version());
    assertEquals(new Result.DeleteDone(true), back.results().get(1));
    assertNull(((Result.GetDone) back.results().get(2)).value());
    VersionedValue v = ((Result.GetDone) back.results().get(3)).value();
    assertArrayEquals(value, v.value());
    assertEquals(70, v.version());
    assertEquals(12, v.createVersion());
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

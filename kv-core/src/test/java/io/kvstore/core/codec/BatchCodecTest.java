package io.kvstore.core.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchCodecTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Proposal> sample() {
    return List.of(
        new Proposal(new RequestId(1, 2, 3, 1), new Command.Put(b("a"), b("1"))),
        new Proposal(new RequestId(1, 2, 4, 1), new Command.Put(b("b"), b("2"), 7)),
        new Proposal(RequestId.NONE, new Command.Delete(b("c"))),
        new Proposal(new RequestId(5, 6, 1, 1), new Command.Delete(b("d"), 0)),
        new Proposal(
            new RequestId(5, 6, 2, 1),
            new Command.Txn(
                List.of(
                    new Command.Compare(
                        b("e"), Command.Target.VERSION, Command.Relation.EQUAL, new byte[0], 4)),
                List.of(new Command.OpPut(b("e"), b("x")), new Command.OpGet(b("f"))),
                List.of(new Command.OpDelete(b("g"))))));
  }

  private static List<byte[]> encodeEach(List<Proposal> ps) {
    List<byte[]> out = new ArrayList<>();
    for (Proposal p : ps) {
      out.add(CommandCodec.encode(p));
    }
    return out;
  }

  @Test
  void batch_roundTripsInOrder() {
    List<Proposal> in = sample();
    byte[] entry = CommandCodec.encodeBatch(encodeEach(in));
    assertTrue(CommandCodec.isBatch(entry));
    assertEquals(0x08, entry[0] & 0xff);
    List<Proposal> out = CommandCodec.decodeAll(entry);
    assertEquals(in.size(), out.size());
    for (int i = 0; i < in.size(); i++) {
      // records holding arrays compare by identity: compare the re-encodings
      assertArrayEquals(CommandCodec.encode(in.get(i)), CommandCodec.encode(out.get(i)));
      assertEquals(in.get(i).requestId(), out.get(i).requestId());
    }
  }

  @Test
  void singleEntries_stillDecodeThroughDecodeAll() {
    for (Proposal p : sample()) {
      byte[] entry = CommandCodec.encode(p);
      assertFalse(CommandCodec.isBatch(entry));
      List<Proposal> out = CommandCodec.decodeAll(entry);
      assertEquals(1, out.size());
      assertArrayEquals(entry, CommandCodec.encode(out.get(0)));
    }
  }

  @Test
  void batch_isNotASingleEntry() {
    byte[] entry = CommandCodec.encodeBatch(encodeEach(sample()));
    CodecException e = assertThrows(CodecException.class, () -> CommandCodec.decode(entry));
    assertTrue(e.getMessage().contains("0x08"), e.getMessage());
  }

  @Test
  void batches_doNotNest_andAreNeverEmpty() {
    byte[] inner =
        CommandCodec.encodeBatch(
            List.of(CommandCodec.encode(new Proposal(RequestId.NONE, new Command.Delete(b("x"))))));
    assertThrows(CodecException.class, () -> CommandCodec.encodeBatch(List.of(inner)));
    assertThrows(CodecException.class, () -> CommandCodec.encodeBatch(List.of()));
    // a hand-made nested batch is refused on decode too
    byte[] nested = new byte[inner.length + 3];
    nested[0] = 0x08;
    nested[1] = 1;
    nested[2] = (byte) inner.length; // inner is < 128 bytes
    System.arraycopy(inner, 0, nested, 3, inner.length);
    assertTrue(inner.length < 128);
    assertThrows(CodecException.class, () -> CommandCodec.decodeAll(nested));
  }

  @Test
  void truncatedOrPaddedBatch_isRefused() {
    byte[] entry = CommandCodec.encodeBatch(encodeEach(sample()));
    for (int cut = 1; cut < entry.length; cut += 7) {
      byte[] part = Arrays.copyOf(entry, cut);
      assertThrows(CodecException.class, () -> CommandCodec.decodeAll(part));
    }
    byte[] longer = Arrays.copyOf(entry, entry.length + 1);
    assertThrows(CodecException.class, () -> CommandCodec.decodeAll(longer));
  }

  @Test
  void batchReply_roundTripsEachResult() {
    List<Result> results =
        List.of(
            new Result.Written(9),
            new Result.ConditionFailed(4),
            new Result.Deleted(true, 9),
            new Result.Rejected("empty key"),
            new Result.TxnDone(true, 9, List.of(new Result.PutDone())));
    List<byte[]> parts = ResultCodec.decodeBatch(ResultCodec.encodeBatch(results));
    assertEquals(results.size(), parts.size());
    for (int i = 0; i < results.size(); i++) {
      assertEquals(results.get(i), ResultCodec.decode(parts.get(i)));
    }
    assertThrows(
        CodecException.class, () -> ResultCodec.decodeBatch(ResultCodec.encode(results.get(0))));
  }
}

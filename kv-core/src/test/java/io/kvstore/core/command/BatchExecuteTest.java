package io.kvstore.core.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.WriteBatch;
import io.kvstore.core.storage.memory.InMemoryPartitionStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Batched entries behave like the same proposals applied one entry each. */
class BatchExecuteTest {
  private final CommandExecutor executor = new CommandExecutor();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<Result> apply(PartitionStore s, List<Proposal> ps, long index) {
    WriteBatch batch = s.newBatch();
    List<Result> r = executor.executeAll(ps, index, s, batch);
    batch.commit(new LogPosition(1, index));
    return r;
  }

  @Test
  void sameSessionInOneBatch_forgetsAcknowledgedResultsLikeSingleEntries() {
    // seq 1..6 of one session in one entry, each acknowledging everything before it
    List<Proposal> ps = new ArrayList<>();
    for (int seq = 1; seq <= 6; seq++) {
      ps.add(new Proposal(new RequestId(7, 7, seq, seq), new Command.Put(b("k" + seq), b("v"))));
    }
    InMemoryPartitionStore batched = new InMemoryPartitionStore();
    apply(batched, ps, 1);
    InMemoryPartitionStore single = new InMemoryPartitionStore();
    for (int i = 0; i < ps.size(); i++) {
      apply(single, List.of(ps.get(i)), i + 1);
    }
    assertEquals(1, batched.count(Keyspace.SESSION_RESULTS));
    assertEquals(single.count(Keyspace.SESSION_RESULTS), batched.count(Keyspace.SESSION_RESULTS));
    assertEquals(1, batched.count(Keyspace.SESSIONS));
    assertEquals(1, batched.count(Keyspace.SESSION_AGE));
  }

  @Test
  void duplicateInOneBatch_appliesOnceAndRepeatsTheResult() {
    RequestId id = new RequestId(3, 4, 1, 1);
    Proposal put = new Proposal(id, new Command.Put(b("a"), b("1")));
    Proposal other = new Proposal(new RequestId(3, 4, 2, 1), new Command.Put(b("b"), b("2")));
    InMemoryPartitionStore s = new InMemoryPartitionStore();
    List<Result> r = apply(s, List.of(put, other, put), 5);
    assertEquals(new Result.Written(5), r.get(0));
    assertEquals(new Result.Written(5), r.get(2));
    // retried again in a later entry: still the remembered result, nothing changes
    assertEquals(List.of(new Result.Written(5)), apply(s, List.of(put), 6));
    assertEquals(5, ValueCodec.decode(s.get(Keyspace.DATA, b("a"))).version());
    assertEquals(2, CommandExecutor.keyCount(s));
  }

  @Test
  void conditionalWritesEvaluateInBatchOrder() {
    InMemoryPartitionStore s = new InMemoryPartitionStore();
    List<Result> r =
        apply(
            s,
            List.of(
                new Proposal(RequestId.NONE, new Command.Put(b("a"), b("1"), Command.ABSENT)),
                new Proposal(
                    RequestId.NONE,
                    new Command.Txn(
                        List.of(
                            new Command.Compare(
                                b("a"), Command.Target.VALUE, Command.Relation.EQUAL, b("1"), 0)),
                        List.of(new Command.OpPut(b("b"), b("seen a=1"))),
                        List.of())),
                new Proposal(RequestId.NONE, new Command.Delete(b("c"), 3))),
            10);
    assertEquals(new Result.Written(10), r.get(0));
    Result.TxnDone txn = assertInstanceOf(Result.TxnDone.class, r.get(1));
    assertTrue(txn.succeeded());
    assertEquals(10, txn.version());
    assertEquals(new Result.ConditionFailed(0), r.get(2));
    assertArrayEquals(b("seen a=1"), ValueCodec.decode(s.get(Keyspace.DATA, b("b"))).value());
  }

  /**
   * Random proposals over few keys and sessions, applied one entry each and in batches (cut where a
   * key would be written twice, as the server does): same results up to the version numbering, same
   * data, same session bookkeeping.
   */
  @Test
  void randomWorkload_batchedEqualsOneEntryEach() {
    Random rnd = new Random(42);
    for (int round = 0; round < 20; round++) {
      List<Proposal> ps = new ArrayList<>();
      long[] seq = new long[4];
      long[] acked = new long[4];
      for (int i = 0; i < 300; i++) {
        int c = rnd.nextInt(4);
        seq[c]++;
        if (rnd.nextInt(3) == 0) {
          acked[c] = seq[c] - rnd.nextInt((int) Math.min(seq[c], 3));
        }
        RequestId id = new RequestId(100, c + 1, seq[c], Math.max(1, acked[c]));
        ps.add(new Proposal(id, randomCommand(rnd)));
        if (rnd.nextInt(10) == 0) {
          ps.add(ps.get(rnd.nextInt(ps.size()))); // a retry
        }
      }
      // one entry each
      InMemoryPartitionStore single = new InMemoryPartitionStore();
      List<Result> singleResults = new ArrayList<>();
      long[] singleIndex = new long[ps.size()];
      for (int i = 0; i < ps.size(); i++) {
        singleIndex[i] = i + 1;
        singleResults.addAll(apply(single, List.of(ps.get(i)), i + 1));
      }
      // batched
      InMemoryPartitionStore batched = new InMemoryPartitionStore();
      List<Result> batchedResults = new ArrayList<>();
      long[] batchIndex = new long[ps.size()];
      long index = 0;
      int i = 0;
      while (i < ps.size()) {
        index++;
        int max = 1 + rnd.nextInt(40);
        List<Proposal> batch = new ArrayList<>();
        Set<ByteBuffer> written = new HashSet<>();
        while (i < ps.size() && batch.size() < max) {
          List<ByteBuffer> keys = new ArrayList<>();
          for (byte[] k : Command.writtenKeys(ps.get(i).command())) {
            keys.add(ByteBuffer.wrap(k));
          }
          if (!batch.isEmpty() && keys.stream().anyMatch(written::contains)) {
            break;
          }
          written.addAll(keys);
          batch.add(ps.get(i));
          batchIndex[i] = index;
          i++;
        }
        batchedResults.addAll(apply(batched, batch, index));
      }
      // map versions (single-entry index -> batch index) and compare
      Map<Long, Long> toBatch = new java.util.HashMap<>();
      toBatch.put(0L, 0L);
      for (int j = 0; j < ps.size(); j++) {
        toBatch.put(singleIndex[j], batchIndex[j]);
      }
      for (int j = 0; j < ps.size(); j++) {
        // results holding byte arrays compare by identity: compare encodings
        assertArrayEquals(
            ResultCodec.encode(remap(singleResults.get(j), toBatch)),
            ResultCodec.encode(batchedResults.get(j)),
            "round " + round + " #" + j);
      }
      assertEquals(values(single), values(batched));
      for (Keyspace k :
          List.of(Keyspace.SESSIONS, Keyspace.SESSION_RESULTS, Keyspace.SESSION_AGE)) {
        assertEquals(single.count(k), batched.count(k), k.toString());
      }
      assertEquals(
          single.dump(Keyspace.SESSION_RESULTS).keySet().stream().map(ByteBuffer::wrap).toList(),
          batched.dump(Keyspace.SESSION_RESULTS).keySet().stream().map(ByteBuffer::wrap).toList());
      assertEquals(CommandExecutor.keyCount(single), CommandExecutor.keyCount(batched));
    }
  }

  private static Command randomCommand(Random rnd) {
    byte[] key = b("k" + rnd.nextInt(6));
    byte[] value = b("v" + rnd.nextInt(1000));
    switch (rnd.nextInt(5)) {
      case 0:
        return new Command.Put(key, value);
      case 1:
        return new Command.Put(key, value, Command.ABSENT);
      case 2:
        return new Command.Delete(key);
      case 3:
        return new Command.Txn(
            List.of(
                new Command.Compare(
                    key, Command.Target.EXISTS, Command.Relation.EQUAL, new byte[0], 1)),
            List.of(new Command.OpPut(key, value), new Command.OpGet(b("k" + rnd.nextInt(6)))),
            List.of(new Command.OpPut(b("k" + rnd.nextInt(6)), value)));
      default:
        return new Command.Put(new byte[0], value); // rejected
    }
  }

  private static Result remap(Result r, Map<Long, Long> m) {
    if (r instanceof Result.Written w) {
      return new Result.Written(m.get(w.version()));
    }
    if (r instanceof Result.Deleted d) {
      return new Result.Deleted(d.existed(), m.get(d.version()));
    }
    if (r instanceof Result.ConditionFailed c) {
      return new Result.ConditionFailed(m.get(c.currentVersion()));
    }
    if (r instanceof Result.TxnDone t) {
      List<Result.OpResult> ops = new ArrayList<>();
      for (Result.OpResult o : t.results()) {
        if (o instanceof Result.GetDone g && g.value() != null) {
          VersionedValue v = g.value();
          ops.add(
              new Result.GetDone(
                  new VersionedValue(v.value(), m.get(v.version()), m.get(v.createVersion()))));
        } else {
          ops.add(o);
        }
      }
      return new Result.TxnDone(t.succeeded(), m.get(t.version()), ops);
    }
    return r;
  }

  private static Map<String, String> values(PartitionStore s) {
    Map<String, String> out = new java.util.TreeMap<>();
    s.dump(Keyspace.DATA)
        .forEach(
            (k, v) ->
                out.put(
                    new String(k, StandardCharsets.UTF_8),
                    new String(ValueCodec.decode(v).value(), StandardCharsets.UTF_8)));
    return out;
  }
}

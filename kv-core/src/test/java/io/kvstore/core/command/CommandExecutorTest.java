package io.kvstore.core.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvstore.core.codec.ValueCodec;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.WriteBatch;
import io.kvstore.core.storage.memory.InMemoryPartitionStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CommandExecutorTest {
  private final CommandExecutor executor = new CommandExecutor();
  private final InMemoryPartitionStore store = new InMemoryPartitionStore();
  private long index;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Result run(PartitionStore s, Proposal p) {
    index++;
    WriteBatch batch = s.newBatch();
    Result r = executor.execute(p, index, s, batch);
    batch.commit(new LogPosition(1, index));
    return r;
  }

  private Result run(Proposal p) {
    return run(store, p);
  }

  private VersionedValue read(String key) {
    byte[] v = store.get(Keyspace.DATA, b(key));
    return v == null ? null : ValueCodec.decode(v);
  }

  @Test
  void put_versionIsLogIndexAndCreateVersionSticks() {
    assertEquals(
        new Result.Written(1), run(new Proposal(RequestId.NONE, new Command.Put(b("a"), b("1")))));
    run(new Proposal(RequestId.NONE, new Command.Put(b("b"), b("x"))));
    assertEquals(
        new Result.Written(3), run(new Proposal(RequestId.NONE, new Command.Put(b("a"), b("2")))));
    VersionedValue a = read("a");
    assertArrayEquals(b("2"), a.value());
    assertEquals(3, a.version());
    assertEquals(1, a.createVersion());
  }

  @Test
  void delete_missingKeyChangesNothing() {
    assertEquals(
        new Result.Deleted(false, 0),
        run(new Proposal(RequestId.NONE, new Command.Delete(b("a")))));
    run(new Proposal(RequestId.NONE, new Command.Put(b("a"), b("1"))));
    assertEquals(
        new Result.Deleted(true, 3), run(new Proposal(RequestId.NONE, new Command.Delete(b("a")))));
    assertNull(read("a"));
  }

  @Test
  void emptyKey_isRejectedNotThrown() {
    assertInstanceOf(
        Result.Rejected.class,
        run(new Proposal(RequestId.NONE, new Command.Put(new byte[0], b("v")))));
    assertEquals(0, store.count(Keyspace.DATA));
  }

  @Test
  void retryOfSameRequest_returnsFirstResultAndAppliesOnce() {
    RequestId id = new RequestId(7, 8, 1, 1);
    Result first = run(new Proposal(id, new Command.Put(b("k"), b("v1"))));
    run(new Proposal(RequestId.NONE, new Command.Put(b("k"), b("other"))));
    Result retry = run(new Proposal(id, new Command.Put(b("k"), b("v1"))));
    assertEquals(first, retry);
    assertArrayEquals(b("other"), read("k").value());
  }

  @Test
  void acknowledgedRequest_isRejectedOnLateRetry() {
    run(new Proposal(new RequestId(1, 1, 1, 1), new Command.Put(b("k"), b("v1"))));
    run(new Proposal(new RequestId(1, 1, 2, 2), new Command.Put(b("k"), b("v2"))));
    Result late = run(new Proposal(new RequestId(1, 1, 1, 1), new Command.Put(b("k"), b("v1"))));
    assertInstanceOf(Result.Rejected.class, late);
    assertArrayEquals(b("v2"), read("k").value());
    assertEquals(1, store.count(Keyspace.SESSION_RESULTS));
  }

  @Test
  void sessions_areBoundedByEvictingLeastRecentlyUsed() {
    for (int c = 0; c < CommandExecutor.MAX_SESSIONS + 5; c++) {
      run(new Proposal(new RequestId(3, c + 1, 1, 1), new Command.Put(b("k" + c), b("v"))));
    }
    assertEquals(CommandExecutor.MAX_SESSIONS, store.count(Keyspace.SESSIONS));
    assertEquals(CommandExecutor.MAX_SESSIONS, store.count(Keyspace.SESSION_AGE));
    assertEquals(CommandExecutor.MAX_SESSIONS, store.count(Keyspace.SESSION_RESULTS));
  }

  @Test
  void conditionalPut_appliesOnlyOnMatchingVersion() {
    Proposal ifAbsent =
        new Proposal(RequestId.NONE, new Command.Put(b("c"), b("1"), Command.ABSENT));
    assertEquals(new Result.Written(1), run(ifAbsent));
    assertEquals(new Result.ConditionFailed(1), run(ifAbsent));
    assertEquals(
        new Result.ConditionFailed(1),
        run(new Proposal(RequestId.NONE, new Command.Put(b("c"), b("x"), 7))));
    assertArrayEquals(b("1"), read("c").value());
    assertEquals(
        new Result.Written(4),
        run(new Proposal(RequestId.NONE, new Command.Put(b("c"), b("2"), 1))));
    assertArrayEquals(b("2"), read("c").value());
  }

  @Test
  void keyCount_followsCreatesAndDeletes() {
    run(new Proposal(RequestId.NONE, new Command.Put(b("a"), b("1"))));
    run(new Proposal(RequestId.NONE, new Command.Put(b("a"), b("2"))));
    run(new Proposal(RequestId.NONE, new Command.Put(b("b"), b("1"))));
    run(new Proposal(RequestId.NONE, new Command.Delete(b("zz"))));
    assertEquals(2, CommandExecutor.keyCount(store));
    run(new Proposal(RequestId.NONE, new Command.Delete(b("a"))));
    assertEquals(1, CommandExecutor.keyCount(store));
    assertEquals(store.count(Keyspace.DATA), CommandExecutor.keyCount(store));
  }

  private Result txn(List<Command.Compare> cmp, List<Command.Op> ok, List<Command.Op> else_) {
    return run(new Proposal(RequestId.NONE, new Command.Txn(cmp, ok, else_)));
  }

  private static Command.Compare cmp(
      String key, Command.Target t, Command.Relation r, String value, long number) {
    return new Command.Compare(b(key), t, r, value == null ? new byte[0] : b(value), number);
  }

  @Test
  void conditionalDelete_appliesOnlyOnMatchingVersion() {
    run(new Proposal(RequestId.NONE, new Command.Put(b("d"), b("1"))));
    assertEquals(
        new Result.ConditionFailed(1),
        run(new Proposal(RequestId.NONE, new Command.Delete(b("d"), 5))));
    assertArrayEquals(b("1"), read("d").value());
    assertEquals(
        new Result.Deleted(true, 3),
        run(new Proposal(RequestId.NONE, new Command.Delete(b("d"), 1))));
    assertNull(read("d"));
  }

  @Test
  void txn_runsSuccessBranchWhenAllComparesHold() {
    run(new Proposal(RequestId.NONE, new Command.Put(b("acct/a"), b("100"))));
    Result r =
        txn(
            List.of(
                cmp("acct/a", Command.Target.VALUE, Command.Relation.EQUAL, "100", 0),
                cmp("acct/a", Command.Target.VERSION, Command.Relation.EQUAL, null, 1),
                cmp("acct/b", Command.Target.EXISTS, Command.Relation.EQUAL, null, 0)),
            List.of(
                new Command.OpPut(b("acct/a"), b("60")),
                new Command.OpPut(b("acct/b"), b("40")),
                new Command.OpGet(b("acct/b"))),
            List.of(new Command.OpGet(b("acct/a"))));
    Result.TxnDone done = (Result.TxnDone) r;
    assertEquals(true, done.succeeded());
    assertEquals(2, done.version());
    VersionedValue seen = ((Result.GetDone) done.results().get(2)).value();
    assertArrayEquals(b("40"), seen.value());
    assertEquals(2, seen.version());
    assertArrayEquals(b("60"), read("acct/a").value());
    assertEquals(2, read("acct/a").version());
    assertEquals(1, read("acct/a").createVersion());
    assertEquals(2, CommandExecutor.keyCount(store));
  }

  @Test
  void txn_runsFailureBranchAndChangesNothingElse() {
    run(new Proposal(RequestId.NONE, new Command.Put(b("x"), b("5"))));
    Result.TxnDone done =
        (Result.TxnDone)
            txn(
                List.of(cmp("x", Command.Target.VALUE, Command.Relation.GREATER, "7", 0)),
                List.of(new Command.OpDelete(b("x"))),
                List.of(new Command.OpGet(b("x")), new Command.OpDelete(b("missing"))));
    assertEquals(false, done.succeeded());
    assertArrayEquals(b("5"), ((Result.GetDone) done.results().get(0)).value().value());
    assertEquals(new Result.DeleteDone(false), done.results().get(1));
    assertArrayEquals(b("5"), read("x").value());
  }

  @Test
  void txnCompare_onAbsentKeyTreatsVersionsAsZeroAndValueAsUnequal() {
    assertEquals(
        true,
        ((Result.TxnDone)
                txn(
                    List.of(
                        cmp("none", Command.Target.VERSION, Command.Relation.EQUAL, null, 0),
                        cmp("none", Command.Target.CREATE_VERSION, Command.Relation.LESS, null, 1),
                        cmp("none", Command.Target.VALUE, Command.Relation.NOT_EQUAL, "v", 0)),
                    List.of(),
                    List.of()))
            .succeeded());
    assertEquals(
        false,
        ((Result.TxnDone)
                txn(
                    List.of(cmp("none", Command.Target.VALUE, Command.Relation.LESS, "v", 0)),
                    List.of(),
                    List.of()))
            .succeeded());
  }

  @Test
  void txn_overTheOperationLimitIsRejectedWithoutChanges() {
    List<Command.Op> ops = new ArrayList<>();
    for (int i = 0; i <= Command.MAX_TXN_OPS; i++) {
      ops.add(new Command.OpPut(b("k" + i), b("v")));
    }
    assertInstanceOf(Result.Rejected.class, txn(List.of(), ops, List.of()));
    assertEquals(0, store.count(Keyspace.DATA));
  }

  @Test
  void replayingSameLogTwice_givesIdenticalState() {
    Random rnd = new Random(7);
    List<Proposal> log = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      byte[] key = b("key-" + rnd.nextInt(200));
      RequestId id = new RequestId(0, 1 + rnd.nextInt(5), i / 3, Math.max(1, i / 3 - 10));
      Command c =
          rnd.nextInt(4) == 0
              ? new Command.Delete(key)
              : new Command.Put(key, b("v" + rnd.nextInt()));
      log.add(new Proposal(rnd.nextInt(10) == 0 ? RequestId.NONE : id, c));
    }
    InMemoryPartitionStore one = new InMemoryPartitionStore();
    InMemoryPartitionStore two = new InMemoryPartitionStore();
    List<Result> r1 = new ArrayList<>();
    List<Result> r2 = new ArrayList<>();
    index = 0;
    for (Proposal p : log) {
      r1.add(run(one, p));
    }
    index = 0;
    for (Proposal p : log) {
      r2.add(run(two, p));
    }
    assertEquals(r1, r2);
    for (Keyspace k : Keyspace.values()) {
      assertSameContents(one.dump(k), two.dump(k));
    }
  }

  static void assertSameContents(Map<byte[], byte[]> a, Map<byte[], byte[]> b) {
    assertEquals(a.size(), b.size());
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext()) {
      var ea = ia.next();
      var eb = ib.next();
      assertArrayEquals(ea.getKey(), eb.getKey());
      assertEquals(true, Arrays.equals(ea.getValue(), eb.getValue()));
    }
  }
}

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

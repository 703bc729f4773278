package io.kvstore.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.raft.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WriteBatcherTest {
  static final RaftGroupId G1 = RaftGroupId.randomId();
  static final RaftGroupId G2 = RaftGroupId.randomId();
  static final Duration WAIT = Duration.ofSeconds(20);

  /** A sink that records proposed entries and lets the test complete them. */
  static final class FakeRaft implements WriteBatcher.Sink {
    record Proposed(RaftGroupId group, byte[] entry, CompletableFuture<RaftGateway.Reply> reply) {
      List<Proposal> proposals() {
        return CommandCodec.decodeAll(entry);
      }

      /** Completes as the state machine would: Written(index) for each element. */
      void apply(long index) {
        List<Proposal> ps = proposals();
        if (CommandCodec.isBatch(entry)) {
          List<Result> rs = new ArrayList<>();
          for (int i = 0; i < ps.size(); i++) {
            rs.add(new Result.Written(index));
          }
          reply.complete(new RaftGateway.Reply(ResultCodec.encodeBatch(rs), index));
        } else {
          reply.complete(
              new RaftGateway.Reply(ResultCodec.encode(new Result.Written(index)), index));
        }
      }
    }

    final LinkedBlockingQueue<Proposed> proposed = new LinkedBlockingQueue<>();

    @Override
    public CompletableFuture<RaftGateway.Reply> write(
        RaftGroupId group, byte[] entry, long waitMs) {
      CompletableFuture<RaftGateway.Reply> f = new CompletableFuture<>();
      proposed.add(new Proposed(group, entry, f));
      return f;
    }

    Proposed next() throws InterruptedException {
      Proposed p = proposed.poll(20, TimeUnit.SECONDS);
      if (p == null) {
        throw new AssertionError("nothing proposed within 20 s");
      }
      return p;
    }
  }

  private final FakeRaft raft = new FakeRaft();
  private WriteBatcher batcher;

  @AfterEach
  void close() {
    if (batcher != null) {
      batcher.close();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Proposal put(String key, long seq) {
    return new Proposal(new RequestId(1, 1, seq, 1), new Command.Put(b(key), b("v" + seq)));
  }

  private static String key(Proposal p) {
    return new String(Command.writtenKeys(p.command()).get(0), StandardCharsets.UTF_8);
  }

  private static long version(CompletableFuture<RaftGateway.Reply> f) throws Exception {
    return ((Result.Written) ResultCodec.decode(f.get(20, TimeUnit.SECONDS).message())).version();
  }

  @Test
  void idlePartition_firstWriteIsProposedAtOnceEvenWithADelay() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 100_000, 1));
    CompletableFuture<RaftGateway.Reply> f = batcher.write(G1, put("a", 1), 0);
    // proposed synchronously by the caller: no timer involved
    FakeRaft.Proposed p = raft.proposed.poll();
    assertTrue(p != null, "the first write of an idle partition was not proposed at once");
    assertFalse(CommandCodec.isBatch(p.entry()), "a lone write goes as a single entry");
    p.apply(7);
    assertEquals(7, version(f));
  }

  @Test
  void writesQueuedBehindAnEntry_leaveAsOneBatch_eachWithItsOwnResult() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    CompletableFuture<RaftGateway.Reply> first = batcher.write(G1, put("a", 1), 0);
    FakeRaft.Proposed p1 = raft.next();
    List<CompletableFuture<RaftGateway.Reply>> queued = new ArrayList<>();
    for (int i = 2; i <= 11; i++) {
      queued.add(batcher.write(G1, put("k" + i, i), 0));
    }
    assertTrue(raft.proposed.isEmpty(), "only one entry may be in flight");
    p1.apply(1);
    FakeRaft.Proposed p2 = raft.next();
    assertTrue(CommandCodec.isBatch(p2.entry()));
    List<Proposal> ps = p2.proposals();
    assertEquals(10, ps.size());
    for (int i = 0; i < ps.size(); i++) {
      assertEquals(i + 2, ps.get(i).requestId().sequence(), "queue order kept");
    }
    p2.apply(2);
    assertEquals(1, version(first));
    for (CompletableFuture<RaftGateway.Reply> f : queued) {
      assertEquals(2, version(f));
      assertEquals(2, f.get().logIndex());
    }
  }

  @Test
  void sameKeyTwice_goesToTheNextEntry_othersKeepOrder() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    batcher.write(G1, put("busy", 1), 0);
    FakeRaft.Proposed p1 = raft.next();
    batcher.write(G1, put("x", 2), 0);
    batcher.write(G1, put("x", 3), 0);
    batcher.write(G1, put("y", 4), 0);
    batcher.write(G1, put("x", 5), 0);
    batcher.write(
        G1,
        new Proposal(
            new RequestId(1, 1, 6, 1),
            new Command.Txn(
                List.of(),
                List.of(new Command.OpPut(b("z"), b("1"))),
                List.of(new Command.OpDelete(b("y"))))),
        0);
    p1.apply(1);
    FakeRaft.Proposed p2 = raft.next();
    assertEquals(
        List.of(2L, 4L), p2.proposals().stream().map(p -> p.requestId().sequence()).toList());
    p2.apply(2);
    FakeRaft.Proposed p3 = raft.next();
    // x(3) next; x(5) conflicts with it; the txn (may write z or y) was held back by y(4)
    assertEquals(
        List.of(3L, 6L), p3.proposals().stream().map(p -> p.requestId().sequence()).toList());
    p3.apply(3);
    FakeRaft.Proposed p4 = raft.next();
    assertEquals(List.of(5L), p4.proposals().stream().map(p -> p.requestId().sequence()).toList());
    p4.apply(4);
  }

  @Test
  void boundsByOpsAndBytes() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(4, 200, 0, 1));
    batcher.write(G1, put("first", 0), 0);
    FakeRaft.Proposed p0 = raft.next();
    for (int i = 1; i <= 6; i++) {
      batcher.write(G1, put("k" + i, i), 0);
    }
    p0.apply(1);
    FakeRaft.Proposed p1 = raft.next();
    assertEquals(4, p1.proposals().size(), "max-ops");
    p1.apply(2);
    FakeRaft.Proposed p2 = raft.next();
    assertEquals(2, p2.proposals().size());
    p2.apply(3);

    // bytes: each put entry is 39 bytes, 150 bytes hold 3 of them
    WriteBatcher bytes = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 150, 0, 1));
    try {
      bytes.write(G1, put("first", 0), 0);
      FakeRaft.Proposed q0 = raft.next();
      int one = CommandCodec.encode(put("k1", 1)).length;
      for (int i = 1; i <= 6; i++) {
        bytes.write(G1, put("k" + i, i), 0);
      }
      q0.apply(1);
      FakeRaft.Proposed q1 = raft.next();
      assertEquals(150 / one, q1.proposals().size(), "max-bytes with entries of " + one);
      q1.apply(2);
      raft.next().apply(3);
    } finally {
      bytes.close();
    }
  }

  @Test
  void partitionsBatchIndependently() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    batcher.write(G1, put("a", 1), 0);
    CompletableFuture<RaftGateway.Reply> other = batcher.write(G2, put("a", 2), 0);
    FakeRaft.Proposed p1 = raft.next();
    FakeRaft.Proposed p2 = raft.next();
    assertEquals(java.util.Set.of(G1, G2), java.util.Set.of(p1.group(), p2.group()));
    (p1.group().equals(G2) ? p1 : p2).apply(9);
    assertEquals(9, version(other));
  }

  @Test
  void failedEntry_failsEveryRequestInItWithTheSameStatus() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    CompletableFuture<RaftGateway.Reply> first = batcher.write(G1, put("a", 1), 0);
    FakeRaft.Proposed p1 = raft.next();
    List<CompletableFuture<RaftGateway.Reply>> queued = new ArrayList<>();
    for (int i = 2; i <= 5; i++) {
      queued.add(batcher.write(G1, put("k" + i, i), 0));
    }
    p1.apply(1);
    FakeRaft.Proposed p2 = raft.next();
    StatusRuntimeException notLeader =
        Status.FAILED_PRECONDITION.withDescription("not the leader").asRuntimeException();
    p2.reply().completeExceptionally(new CompletionException(notLeader));
    assertEquals(1, version(first));
    for (CompletableFuture<RaftGateway.Reply> f : queued) {
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
      assertSame(notLeader, unwrap(e));
    }
    // the lane is free again
    CompletableFuture<RaftGateway.Reply> after = batcher.write(G1, put("b", 9), 0);
    raft.next().apply(3);
    assertEquals(3, version(after));
  }

  @Test
  void sinkThrowing_failsTheBatchAndFreesTheSlot() throws Exception {
    boolean[] fail = {true};
    WriteBatcher.Sink flaky =
        (group, entry, waitMs) -> {
          if (fail[0]) {
            throw new IllegalStateException("refused");
          }
          return raft.write(group, entry, waitMs);
        };
    batcher = new WriteBatcher(flaky, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    CompletableFuture<RaftGateway.Reply> f = batcher.write(G1, put("a", 1), 0);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, unwrap(e));
    fail[0] = false;
    CompletableFuture<RaftGateway.Reply> next = batcher.write(G1, put("b", 2), 0);
    raft.next().apply(2);
    assertEquals(2, version(next));
  }

  @Test
  void requestPastItsDeadline_getsDeadlineExceeded() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    batcher.write(G1, put("a", 1), 0);
    FakeRaft.Proposed p1 = raft.next();
    CompletableFuture<RaftGateway.Reply> late = batcher.write(G1, put("b", 2), 50);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> late.get(20, TimeUnit.SECONDS));
    StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, unwrap(e));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getStatus().getCode());
    p1.apply(1);
    // the expired request is not proposed; the next write goes alone
    CompletableFuture<RaftGateway.Reply> next = batcher.write(G1, put("c", 3), 0);
    FakeRaft.Proposed p2 = raft.next();
    assertEquals(List.of(3L), p2.proposals().stream().map(p -> p.requestId().sequence()).toList());
    p2.apply(2);
    assertEquals(2, version(next));
  }

  @Test
  void delay_holdsAPartialBatchWhileAnEntryIsInFlight_thenSendsIt() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 3_000_000, 2));
    batcher.write(G1, put("a", 1), 0);
    FakeRaft.Proposed p1 = raft.next(); // idle: at once
    CompletableFuture<RaftGateway.Reply> f2 = batcher.write(G1, put("b", 2), 0);
    CompletableFuture<RaftGateway.Reply> f3 = batcher.write(G1, put("c", 3), 0);
    assertTrue(raft.proposed.isEmpty(), "a free slot but a delay: the partial batch waits");
    FakeRaft.Proposed p2 = raft.next(); // the timer sends it, without p1 completing
    assertEquals(2, p2.proposals().size());
    p2.apply(2);
    p1.apply(1);
    assertEquals(2, version(f2));
    assertEquals(2, version(f3));
  }

  @Test
  void off_proposesEveryRequestAsItsOwnEntryAtOnce() throws Exception {
    batcher = new WriteBatcher(raft, 5000, WriteBatcher.Settings.OFF);
    List<CompletableFuture<RaftGateway.Reply>> fs = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      fs.add(batcher.write(G1, put("k", i), 0));
    }
    for (int i = 1; i <= 5; i++) {
      FakeRaft.Proposed p = raft.next();
      assertFalse(CommandCodec.isBatch(p.entry()));
      p.apply(i);
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(i + 1, version(fs.get(i)));
    }
  }

  @Test
  void close_failsQueuedWritesWithUnavailable() throws Exception {
    batcher = new WriteBatcher(raft, 5000, new WriteBatcher.Settings(64, 1 << 20, 0, 1));
    batcher.write(G1, put("a", 1), 0);
    raft.next();
    CompletableFuture<RaftGateway.Reply> queued = batcher.write(G1, put("b", 2), 0);
    batcher.close();
    Poll.until("queued write fails", WAIT, queued::isDone);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, queued::get);
    assertEquals(
        Status.Code.UNAVAILABLE,
        assertInstanceOf(StatusRuntimeException.class, unwrap(e)).getStatus().getCode());
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

package io.kvstore.raft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.Consistency;
import io.kvstore.client.proto.GetRequest;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.KvGrpc;
import io.kvstore.client.proto.PutRequest;
import io.kvstore.client.proto.PutResponse;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnPut;
import io.kvstore.client.proto.TxnRequest;
import io.kvstore.client.proto.TxnResponse;
import io.kvstore.client.proto.WriteHeader;
import io.kvstore.raft.server.PartitionGroups;
import io.kvstore.raft.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many concurrent writers against one batching partition: hot keys written by everyone, if-absent
 * races, read-modify-write counters, and requests sent twice (and again after their reply) with the
 * same request id. Every acknowledged write must be applied exactly once, versions must be unique
 * per key and follow real-time order, and writes must really have shared entries.
 */
@Timeout(300)
class WriteBatchingIT {
  static final RaftGroupId GROUP = PartitionGroups.groupId(0);
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int SESSIONS = 8;
  static final int OPS_PER_SESSION = 120;
  static final int IN_FLIGHT_PER_SESSION = 16;
  static final int HOT_KEYS = 4;
  static final int CLAIMS = 20;
  static final int COUNTER_THREADS = 2;
  static final int INCREMENTS = 15;

  @TempDir Path dir;

  /** One acknowledged write: who sent it, which key, the reply, when it was sent and answered. */
  record Ack(
      long session, long seq, String key, String value, Message reply, long sentNs, long ackNs) {}

  final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  final AtomicLong epoch = new AtomicLong(); // bumped when the leader changes
  InJvmCluster cluster;
  volatile ManagedChannel[] channels;

  @Test
  void concurrentWriters_everyAckedWriteAppliedOnceInOrder() throws Exception {
    Properties extra = new Properties();
    extra.setProperty("cluster.partitions", "1");
    extra.setProperty("raft.election-timeout-min-ms", "1500");
    extra.setProperty("raft.election-timeout-max-ms", "3000");
    extra.setProperty("server.batch.max-ops", "32");
    extra.setProperty("server.batch.max-in-flight", "2");
    try (InJvmCluster c = new InJvmCluster(dir, 3, extra).startAll()) {
      cluster = c;
      channels = new ManagedChannel[3];
      for (int i = 0; i < 3; i++) {
        channels[i] =
            NettyChannelBuilder.forTarget(c.spec().clientEndpoint(i)).usePlaintext().build();
      }
      try {
        run();
      } finally {
        for (ManagedChannel ch : channels) {
          ch.shutdownNow();
        }
      }
    }
  }

  private void run() throws Exception {
    cluster.awaitLeader(GROUP, WAIT);
    ExecutorService pool = Executors.newFixedThreadPool(SESSIONS + COUNTER_THREADS);
    List<Future<?>> work = new ArrayList<>();
    List<List<Integer>> counterValues = new ArrayList<>();
    try {
      for (int s = 1; s <= SESSIONS; s++) {
        long session = s;
        work.add(pool.submit(() -> flood(session)));
      }
      for (int t = 0; t < COUNTER_THREADS; t++) {
        long session = 1000 + t;
        work.add(pool.submit(() -> increments(session)));
      }
      for (Future<?> f : work) {
        f.get(240, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    verify();
  }

  /** Pipelined writes of one client session. */
  private Void flood(long session) throws Exception {
    Semaphore window = new Semaphore(IN_FLIGHT_PER_SESSION);
    ConcurrentSkipListSet<Long> unacked = new ConcurrentSkipListSet<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    java.util.Random rnd = new java.util.Random(session);
    for (long seq = 1; seq <= OPS_PER_SESSION; seq++) {
      window.acquire();
      unacked.add(seq);
      WriteHeader h =
          WriteHeader.newBuilder()
              .setSessionHigh(77)
              .setSessionLow(session)
              .setSequence(seq)
              .setLowestUnacked(unacked.first())
              .build();
      String value = "s" + session + "#" + seq;
      int kind = rnd.nextInt(10);
      String key;
      Function<KvGrpc.KvStub, CompletableFuture<Message>> call;
      if (kind < 5) {
        key = "hot/" + rnd.nextInt(HOT_KEYS);
        PutRequest req = put(h, key, value).build();
        call = stub -> unary(req, stub::put).thenApply(m -> (Message) m);
      } else if (kind < 8) {
        key = "claim/" + rnd.nextInt(CLAIMS);
        PutRequest req = put(h, key, value).setIfAbsent(true).build();
        call = stub -> unary(req, stub::put).thenApply(m -> (Message) m);
      } else {
        key = "hot/" + rnd.nextInt(HOT_KEYS);
        TxnRequest req =
            TxnRequest.newBuilder()
                .setHeader(h)
                .addSuccess(
                    TxnOp.newBuilder()
                        .setPut(
                            TxnPut.newBuilder()
                                .setKey(ByteString.copyFromUtf8(key))
                                .setValue(ByteString.copyFromUtf8(value))))
                .build();
        call = stub -> unary(req, stub::txn).thenApply(m -> (Message) m);
      }
      boolean duplicate = rnd.nextInt(8) == 0;
      long sent = System.nanoTime();
      long seqNow = seq;
      CompletableFuture<Message> first = send(call);
      CompletableFuture<Void> done;
      if (duplicate) {
        // the same request twice at once, then once more after both answered
        CompletableFuture<Message> second = send(call);
        done =
            CompletableFuture.allOf(first, second)
                .thenCompose(
                    v -> send(call).thenApply(third -> List.of(first.join(), second.join(), third)))
                .thenAccept(
                    replies -> {
                      long ackNs = System.nanoTime();
                      for (Message r : replies) {
                        acks.add(new Ack(session, seqNow, key, value, r, sent, ackNs));
                      }
                    });
      } else {
        done =
            first.thenAccept(
                r -> acks.add(new Ack(session, seqNow, key, value, r, sent, System.nanoTime())));
      }
      all.add(
          done.whenComplete(
              (v, e) -> {
                unacked.remove(seqNow);
                window.release();
              }));
    }
    for (CompletableFuture<Void> f : all) {
      f.get(200, TimeUnit.SECONDS);
    }
    return null;
  }

  /** Read-modify-write increments of one counter, with conditional puts. */
  private Void increments(long session) throws Exception {
    String key = "counter";
    long seq = 0;
    int done = 0;
    while (done < INCREMENTS) {
      GetResponse cur =
          send(stub ->
                  unary(
                      GetRequest.newBuilder()
                          .setKey(ByteString.copyFromUtf8(key))
                          .setConsistency(Consistency.LINEARIZABLE)
                          .build(),
                      stub::get))
              .get(60, TimeUnit.SECONDS);
      int n = cur.getFound() ? Integer.parseInt(cur.getValue().toStringUtf8()) : 0;
      seq++;
      WriteHeader h =
          WriteHeader.newBuilder()
              .setSessionHigh(88)
              .setSessionLow(session)
              .setSequence(seq)
              .setLowestUnacked(seq)
              .build();
      PutRequest.Builder req = put(h, key, Integer.toString(n + 1));
      if (cur.getFound()) {
        req.setIfVersion(cur.getVersion());
      } else {
        req.setIfAbsent(true);
      }
      PutRequest r = req.build();
      long sent = System.nanoTime();
      PutResponse resp = send(stub -> unary(r, stub::put)).get(60, TimeUnit.SECONDS);
      acks.add(
          new Ack(
              88_000 + session, seq, key, Integer.toString(n + 1), resp, sent, System.nanoTime()));
      if (resp.getApplied()) {
        done++;
      }
    }
    return null;
  }

  private static PutRequest.Builder put(WriteHeader h, String key, String value) {
    return PutRequest.newBuilder()
        .setHeader(h)
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value));
  }

  /**
   * Sends to the current leader; on a redirect or an unavailable leader, sends the SAME request
   * again (same request id) to whoever leads then, up to a bounded number of attempts.
   */
  private <T extends Message> CompletableFuture<T> send(
      Function<KvGrpc.KvStub, CompletableFuture<T>> call) {
    CompletableFuture<T> out = new CompletableFuture<>();
    attempt(call, out, 0);
    return out;
  }

  private <T extends Message> void attempt(
      Function<KvGrpc.KvStub, CompletableFuture<T>> call, CompletableFuture<T> out, int n) {
    int leader = cluster.leaderOf(GROUP);
    if (leader < 0) {
      leader = n % 3;
    }
    KvGrpc.KvStub stub = KvGrpc.newStub(channels[leader]).withDeadlineAfter(30, TimeUnit.SECONDS);
    call.apply(stub)
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                out.complete(r);
                return;
              }
              Status.Code code = Status.fromThrowable(e).getCode();
              boolean retry =
                  code == Status.Code.FAILED_PRECONDITION
                      || code == Status.Code.UNAVAILABLE
                      || code == Status.Code.DEADLINE_EXCEEDED;
              if (retry && n < 100) {
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)
                    .execute(() -> attempt(call, out, n + 1));
              } else {
                out.completeExceptionally(e);
              }
            });
  }

  private static <Q, T> CompletableFuture<T> unary(Q req, BiConsumer<Q, StreamObserver<T>> rpc) {
    CompletableFuture<T> f = new CompletableFuture<>();
    rpc.accept(
        req,
        new StreamObserver<T>() {
          @Override
          public void onNext(T value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    return f;
  }

  /** The version an acknowledged write was applied at, or -1 if its condition failed. */
  private static long version(Message m) {
    if (m instanceof PutResponse p) {
      return p.getApplied() ? p.getVersion() : -1;
    }
    TxnResponse t = (TxnResponse) m;
    assertTrue(t.getSucceeded(), "txn without compares always succeeds");
    return t.getVersion();
  }

  private void verify() throws Exception {
    // 1. all replies to one request id are the same (a duplicate was not applied again)
    Map<String, List<Ack>> byRequest = new HashMap<>();
    for (Ack a : acks) {
      byRequest.computeIfAbsent(a.session() + ":" + a.seq(), k -> new ArrayList<>()).add(a);
    }
    int duplicates = 0;
    for (List<Ack> same : byRequest.values()) {
      for (Ack a : same) {
        assertEquals(
            same.get(0).reply(), a.reply(), "replies to request " + a.session() + ":" + a.seq());
      }
      duplicates += same.size() > 1 ? 1 : 0;
    }
    assertTrue(duplicates > 0, "the workload sent duplicates");
    // one entry per request id from here on
    List<Ack> writes = new ArrayList<>();
    for (List<Ack> same : byRequest.values()) {
      Ack first = same.get(0);
      long sentNs = same.stream().mapToLong(Ack::sentNs).min().orElseThrow();
      long ackNs = same.stream().mapToLong(Ack::ackNs).min().orElseThrow();
      writes.add(
          new Ack(
              first.session(),
              first.seq(),
              first.key(),
              first.value(),
              first.reply(),
              sentNs,
              ackNs));
    }
    assertEquals(SESSIONS * OPS_PER_SESSION + countCounterRequests(), writes.size());

    // 2. versions unique per key; real-time order respected per key
    Map<String, List<Ack>> byKey = new HashMap<>();
    Set<Long> versions = new HashSet<>();
    int applied = 0;
    for (Ack a : writes) {
      if (version(a.reply()) > 0) {
        byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
        versions.add(version(a.reply()));
        applied++;
      }
    }
    for (Map.Entry<String, List<Ack>> e : byKey.entrySet()) {
      Set<Long> seen = new HashSet<>();
      for (Ack a : e.getValue()) {
        assertTrue(
            seen.add(version(a.reply())),
            "version " + version(a.reply()) + " of " + e.getKey() + " twice");
      }
      for (Ack a : e.getValue()) {
        for (Ack b : e.getValue()) {
          if (a.ackNs() < b.sentNs()) {
            assertTrue(
                version(a.reply()) < version(b.reply()),
                e.getKey() + ": acknowledged before the other was sent, yet not an older version");
          }
        }
      }
    }
    // writes really shared entries
    assertTrue(
        versions.size() < applied,
        "every write had its own log index: no batching (" + applied + " writes)");

    // 3. final state: each key holds its highest acknowledged write
    for (Map.Entry<String, List<Ack>> e : byKey.entrySet()) {
      Ack last =
          e.getValue().stream()
              .max((x, y) -> Long.compare(version(x.reply()), version(y.reply())))
              .orElseThrow();
      GetResponse now = get(e.getKey());
      assertTrue(now.getFound(), e.getKey());
      assertEquals(version(last.reply()), now.getVersion(), e.getKey());
      assertEquals(last.value(), now.getValue().toStringUtf8(), e.getKey());
    }

    // 4. if-absent races: one winner per claim, every loser saw the winner's version
    for (int j = 0; j < CLAIMS; j++) {
      String key = "claim/" + j;
      List<Ack> tries = writes.stream().filter(a -> a.key().equals(key)).toList();
      if (tries.isEmpty()) {
        continue;
      }
      List<Ack> winners = tries.stream().filter(a -> version(a.reply()) > 0).toList();
      assertEquals(1, winners.size(), key + " winners");
      long won = version(winners.get(0).reply());
      for (Ack a : tries) {
        if (a != winners.get(0)) {
          assertEquals(won, ((PutResponse) a.reply()).getCurrentVersion(), key + " loser");
        }
      }
    }

    // 5. counter: applied increments form one chain, value n at increasing versions
    List<Ack> incs =
        writes.stream()
            .filter(a -> a.key().equals("counter") && version(a.reply()) > 0)
            .sorted((x, y) -> Long.compare(version(x.reply()), version(y.reply())))
            .toList();
    assertEquals(COUNTER_THREADS * INCREMENTS, incs.size());
    for (int i = 0; i < incs.size(); i++) {
      assertEquals(Integer.toString(i + 1), incs.get(i).value(), "increment " + i);
    }
    assertEquals(Integer.toString(incs.size()), get("counter").getValue().toStringUtf8());
  }

  private long countCounterRequests() {
    return acks.stream().filter(a -> a.key().equals("counter")).count();
  }

  private GetResponse get(String key) throws Exception {
    return send(stub ->
            unary(
                GetRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(key))
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build(),
                stub::get))
        .get(60, TimeUnit.SECONDS);
  }
}

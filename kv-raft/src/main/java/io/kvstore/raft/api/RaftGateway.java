package io.kvstore.raft.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvstore.client.KvClient;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.storage.StorageException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.ReplicationLevel;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits requests to the local Raft server in-process (no network hop to itself) and turns every
 * failure into a gRPC status the client knows how to handle:
 *
 * <ul>
 *   <li>not the leader → {@code FAILED_PRECONDITION} with the leader's client endpoint in the
 *       {@code kv-leader} trailer (the client follows it; this node does not forward);
 *   <li>no leader yet, leader not ready or stepping down, read index unavailable, server closed →
 *       {@code UNAVAILABLE};
 *   <li>no outcome within the request timeout → {@code DEADLINE_EXCEEDED} (a write may still
 *       commit; the client's session makes its retry safe).
 * </ul>
 */
public final class RaftGateway {
  private static final Logger LOG = LoggerFactory.getLogger(RaftGateway.class);

  private final RaftServer server;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Function<RaftPeerId, String> clientEndpointOf;
  private final long timeoutMs;
  private final LongSupplier mapEpoch;
  private volatile boolean unsafeAckBeforeCommit;
  private volatile WriteBatcher batcher;
  private volatile Supplier<String> writeRefusal = () -> null;

  /**
   * @param clientEndpointOf the client API endpoint of a peer, or null if unknown
   * @param timeoutMs how long to wait for an outcome before answering DEADLINE_EXCEEDED
   * @param mapEpoch the epoch of the node's cluster map, sent with redirects
   */
  public RaftGateway(
      RaftServer server,
      Function<RaftPeerId, String> clientEndpointOf,
      long timeoutMs,
      LongSupplier mapEpoch) {
    this.server = server;
    this.clientEndpointOf = clientEndpointOf;
    this.timeoutMs = timeoutMs;
    this.mapEpoch = mapEpoch;
  }

  /**
   * Batches client writes per partition from now on ({@link WriteBatcher}); settings with {@code
   * maxOps == 1} keep one entry per request.
   */
  public void enableBatching(WriteBatcher.Settings settings) {
    WriteBatcher old = batcher;
    batcher = settings.enabled() ? new WriteBatcher(this::write, timeoutMs, settings) : null;
    if (old != null) {
      old.close();
    }
  }

  /** Fails writes still queued for a batch; call when the node stops. */
  public void close() {
    WriteBatcher b = batcher;
    if (b != null) {
      b.close();
    }
  }

  /**
   * Proposes a client write, batched with concurrent writes to the same partition when batching is
   * on; completes with this write's own encoded result and its entry's log index.
   */
  public CompletableFuture<Reply> propose(RaftGroupId group, Proposal p, long deadlineMs) {
    WriteBatcher b = batcher;
    CompletableFuture<Reply> applied =
        b == null
            ? write(group, CommandCodec.encode(p), deadlineMs)
            : b.write(group, p, deadlineMs);
    return unsafeAckBeforeCommit
        ? UnsafeAckBeforeCommit.ackEarly(CommandCodec.encode(p), applied)
        : applied;
  }

  /**
   * Refuses every write with {@code UNAVAILABLE} while {@code why} returns a reason (non-null), so
   * clients try another replica; used while the node's data disk is full or failing.
   */
  public void refuseWritesWhen(Supplier<String> why) {
    this.writeRefusal = why;
  }

  /** Proposes a log entry; completes with the state machine's reply bytes once applied. */
  public CompletableFuture<Reply> write(RaftGroupId group, byte[] entry, long deadlineMs) {
    String refused = writeRefusal.get();
    if (refused != null) {
      return CompletableFuture.failedFuture(unavailable(refused));
    }
    return submit(group, entry, RaftClientRequest.writeRequestType(), deadlineMs)
        .thenApply(r -> new Reply(r.getMessage().getContent().toByteArray(), r.getLogIndex()));
  }

  /**
   * TEST ONLY, loses acknowledged writes: from now on an unconditional put that has not committed
   * within {@link UnsafeAckBeforeCommit#ACK_AFTER_MS} is acknowledged anyway. The seeded bug the
   * drill harness's lost-write control must catch; see {@link UnsafeAckBeforeCommit}.
   */
  public void enableUnsafeAckBeforeCommit() {
    LOG.warn(
        "UNSAFE: unsafe.ack-before-commit=true: this node acknowledges puts before they commit and"
            + " WILL LOSE ACKNOWLEDGED WRITES. Test-only seeded bug; never use it for data.");
    unsafeAckBeforeCommit = true;
  }

  /** The state machine's reply to a write, and the log index of the write's entry. */
  public record Reply(byte[] message, long logIndex) {}

  /** A linearizable read (ReadIndex), served by this replica whether leader or follower. */
  public CompletableFuture<byte[]> read(RaftGroupId group, byte[] query, long deadlineMs) {
    return submit(group, query, RaftClientRequest.readRequestType(), deadlineMs)
        .thenApply(r -> r.getMessage().getContent().toByteArray());
  }

  /**
   * Completes with true once the entry at {@code index} is committed and applied on every replica
   * of the group, or with false if that does not happen in time (the entry stays committed).
   */
  public CompletableFuture<Boolean> awaitAllReplicas(
      RaftGroupId group, long index, long deadlineMs) {
    long wait = deadlineMs > 0 ? Math.min(deadlineMs, timeoutMs) : timeoutMs;
    RaftClientRequest request =
        newRequest(
            group,
            new byte[0],
            RaftClientRequest.watchRequestType(index, ReplicationLevel.ALL_COMMITTED),
            wait);
    try {
      return server
          .submitClientRequestAsync(request)
          .orTimeout(wait, TimeUnit.MILLISECONDS)
          .handle((r, error) -> error == null && r.isSuccess());
    } catch (IOException e) {
      return CompletableFuture.completedFuture(false);
    }
  }

  private CompletableFuture<RaftClientReply> submit(
      RaftGroupId group, byte[] payload, RaftClientRequest.Type type, long deadlineMs) {
    long wait = deadlineMs > 0 ? Math.min(deadlineMs, timeoutMs) : timeoutMs;
    RaftClientRequest request = newRequest(group, payload, type, wait);
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException | RejectedExecutionException e) {
      return CompletableFuture.failedFuture(unavailable("server not running: " + e.getMessage()));
    }
    return reply
        .orTimeout(wait, TimeUnit.MILLISECONDS)
        .handle(
            (r, error) -> {
              if (error != null) {
                throw new CompletionException(translate(unwrap(error), wait));
              }
              if (!r.isSuccess()) {
                throw new CompletionException(translate(r.getException(), wait));
              }
              return r;
            });
  }

  private RaftClientRequest newRequest(
      RaftGroupId group, byte[] payload, RaftClientRequest.Type type, long waitMs) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(server.getId())
        .setGroupId(group)
        .setCallId(callIds.incrementAndGet())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(payload)))
        .setType(type)
        .setTimeoutMs(waitMs)
        .build();
  }

  private StatusRuntimeException translate(Throwable error, long waitMs) {
    if (error instanceof NotLeaderException nle) {
      Metadata trailers = new Metadata();
      String leader =
          nle.getSuggestedLeader() == null
              ? null
              : clientEndpointOf.apply(nle.getSuggestedLeader().getId());
      if (leader != null) {
        trailers.put(KvClient.LEADER_KEY, leader);
      }
      trailers.put(KvClient.EPOCH_KEY, Long.toString(mapEpoch.getAsLong()));
      return Status.FAILED_PRECONDITION
          .withDescription(
              "not the leader" + (leader == null ? "; leader unknown" : "; leader is " + leader))
          .asRuntimeException(trailers);
    }
    if (error instanceof TimeoutException) {
      return deadlineExceeded(waitMs);
    }
    if (error instanceof StateMachineException sme) {
      LOG.warn("state machine error: {}", sme.getMessage());
      return Status.INTERNAL.withDescription(oneLine(sme.getMessage())).asRuntimeException();
    }
    if (causedBy(error, StorageException.class)) {
      // This replica's store is closed after a failed write (disk full); others may serve.
      return unavailable("partition store unavailable on this node (data disk)");
    }
    if (error instanceof RejectedExecutionException) {
      // The group's replica here was closed (e.g. after a storage failure); others may serve.
      return unavailable("partition replica closed on this node");
    }
    if (error instanceof RaftException || error instanceof IOException) {
      return unavailable(error.getClass().getSimpleName() + ": " + oneLine(error.getMessage()));
    }
    LOG.warn("unexpected failure", error);
    return Status.INTERNAL.withDescription(String.valueOf(error)).asRuntimeException();
  }

  static StatusRuntimeException deadlineExceeded(long waitMs) {
    return Status.DEADLINE_EXCEEDED
        .withDescription("no outcome within " + waitMs + " ms (no quorum?)")
        .asRuntimeException();
  }

  private static StatusRuntimeException unavailable(String why) {
    return Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

package io.kvstore.raft.api;

import io.grpc.Status;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Coalesces concurrent writes to one partition into one Raft log entry (a {@code BATCH} entry), so
 * the per-entry costs (replication round, fsync, apply and store commit) are paid once per batch
 * instead of once per request. Every request still gets its own result.
 *
 * <p>Per partition (Raft group) at most {@code maxInFlight} entries are proposed and not yet
 * applied. A write to a partition with a free slot is proposed at once, together with whatever is
 * already queued; the first write to an idle partition never waits. When all slots are busy, writes
 * queue, and the queue leaves as one batch (up to {@code maxOps} requests and {@code maxBytes} of
 * encoded entries) as soon as an entry completes. With {@code maxDelayUs > 0} a partial batch may
 * also wait up to that long for more writes while another entry of the partition is in flight.
 *
 * <p>Versions: a key's version is the log index of the entry that wrote it, so two writes of one
 * key in one entry would share a version. A batch therefore holds at most one request that may
 * write a given key ({@link Command#writtenKeys}); later requests for that key stay queued, in
 * order, for a later entry. Requests of one batch are applied in queue order.
 *
 * <p>Failures: if the entry fails (not the leader, no quorum, timeout), every request in it fails
 * with the status the single-request path gives. Each request keeps its own deadline.
 */
public final class WriteBatcher implements AutoCloseable {

  /**
   * Batch bounds. {@code maxOps == 1} turns batching off: every request is its own entry, proposed
   * at once with no limit on entries in flight (the behaviour before batching).
   */
  public record Settings(int maxOps, int maxBytes, long maxDelayUs, int maxInFlight) {
    public static final Settings DEFAULT = new Settings(256, 256 << 10, 0, 2);
    public static final Settings OFF = new Settings(1, 256 << 10, 0, 1);

    public boolean enabled() {
      return maxOps > 1;
    }
  }

  /** Where entries go: proposes one log entry to a group, waiting at most {@code waitMs}. */
  public interface Sink {
    CompletableFuture<RaftGateway.Reply> write(RaftGroupId group, byte[] entry, long waitMs);
  }

  private final Sink sink;
  private final long timeoutMs;
  private final Settings settings;
  private final ConcurrentHashMap<RaftGroupId, Lane> lanes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService executor;
  private volatile boolean closed;

  /**
   * @param timeoutMs how long a request without a deadline of its own is waited for
   */
  public WriteBatcher(Sink sink, long timeoutMs, Settings settings) {
    this.sink = sink;
    this.timeoutMs = timeoutMs;
    this.settings = settings;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kv-write-batcher");
              t.setDaemon(true);
              return t;
            });
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Proposes {@code p} to {@code group}, batched with concurrent writes; completes with this
   * request's own reply (encoded {@code Result}, log index of the entry) once applied.
   *
   * @param deadlineMs milliseconds the caller still waits, or 0 for the default timeout
   */
  public CompletableFuture<RaftGateway.Reply> write(
      RaftGroupId group, Proposal p, long deadlineMs) {
    byte[] entry = CommandCodec.encode(p);
    if (!settings.enabled()) {
      return sink.write(group, entry, deadlineMs);
    }
    long waitMs = deadlineMs > 0 ? Math.min(deadlineMs, timeoutMs) : timeoutMs;
    long now = System.nanoTime();
    Pending op =
        new Pending(
            entry,
            keys(p.command()),
            now,
            now + TimeUnit.MILLISECONDS.toNanos(waitMs),
            new CompletableFuture<>());
    if (closed) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE.withDescription("server is shutting down").asRuntimeException());
    }
    Lane lane = lanes.computeIfAbsent(group, Lane::new);
    List<Pending> batch;
    synchronized (lane) {
      lane.queue.add(op);
      lane.queuedBytes += entry.length;
      batch = takeIfReady(lane, false);
    }
    if (batch != null) {
      propose(group, lane, batch);
    }
    return op.future()
        .orTimeout(waitMs, TimeUnit.MILLISECONDS)
        .handle(
            (reply, error) -> {
              if (error == null) {
                return reply;
              }
              Throwable e = unwrap(error);
              if (e instanceof TimeoutException) {
                throw new CompletionException(RaftGateway.deadlineExceeded(waitMs));
              }
              throw new CompletionException(e);
            });
  }

  /**
   * Takes the next batch off the lane if one may leave now; reserves an in-flight slot for it.
   * Caller holds the lane's lock.
   */
  private List<Pending> takeIfReady(Lane lane, boolean timerFired) {
    if (lane.queue.isEmpty() || lane.inFlight >= settings.maxInFlight()) {
      return null;
    }
    if (lane.inFlight > 0 && settings.maxDelayUs() > 0 && !timerFired) {
      boolean full =
          lane.queue.size() >= settings.maxOps() || lane.queuedBytes >= settings.maxBytes();
      long waited = System.nanoTime() - lane.queue.peekFirst().enqueuedNanos();
      if (!full && waited < TimeUnit.MICROSECONDS.toNanos(settings.maxDelayUs())) {
        if (!lane.timerArmed) {
          lane.timerArmed = true;
          long delay = TimeUnit.MICROSECONDS.toNanos(settings.maxDelayUs()) - waited;
          executor.schedule(() -> onTimer(lane), delay, TimeUnit.NANOSECONDS);
        }
        return null;
      }
    }
    List<Pending> batch = new ArrayList<>();
    Set<ByteBuffer> written = new HashSet<>();
    int bytes = 0;
    for (Iterator<Pending> it = lane.queue.iterator(); it.hasNext(); ) {
      Pending op = it.next();
      if (op.future().isDone()) {
        // past its deadline before it was proposed: the caller has its answer already
        lane.queuedBytes -= op.entry().length;
        it.remove();
        continue;
      }
      if (!batch.isEmpty()
          && (batch.size() >= settings.maxOps()
              || bytes + op.entry().length > settings.maxBytes())) {
        break;
      }
      if (conflicts(op, written)) {
        continue; // another write of this key is in the batch: next entry
      }
      written.addAll(op.keys());
      batch.add(op);
      bytes += op.entry().length;
      lane.queuedBytes -= op.entry().length;
      it.remove();
    }
    if (batch.isEmpty()) {
      return null;
    }
    lane.inFlight++;
    return batch;
  }

  private static boolean conflicts(Pending op, Set<ByteBuffer> written) {
    for (ByteBuffer k : op.keys()) {
      if (written.contains(k)) {
        return true;
      }
    }
    return false;
  }

  private void onTimer(Lane lane) {
    List<Pending> batch;
    synchronized (lane) {
      lane.timerArmed = false;
      batch = takeIfReady(lane, true);
    }
    if (batch != null) {
      propose(lane.group, lane, batch);
    }
  }

  private void propose(RaftGroupId group, Lane lane, List<Pending> batch) {
    long now = System.nanoTime();
    long waitNanos = 0;
    for (Pending op : batch) {
      waitNanos = Math.max(waitNanos, op.deadlineNanos() - now);
    }
    long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos));
    CompletableFuture<RaftGateway.Reply> reply;
    try {
      if (batch.size() == 1) {
        reply = sink.write(group, batch.get(0).entry(), waitMs);
      } else {
        List<byte[]> entries = new ArrayList<>(batch.size());
        for (Pending op : batch) {
          entries.add(op.entry());
        }
        reply = sink.write(group, CommandCodec.encodeBatch(entries), waitMs);
      }
    } catch (RuntimeException e) {
      // never leave the slot taken: fail this batch like a failed entry
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete(
        (r, error) -> {
          try {
            deliver(batch, r, error);
          } finally {
            onEntryDone(group, lane);
          }
        });
  }

  private static void deliver(List<Pending> batch, RaftGateway.Reply r, Throwable error) {
    if (error != null) {
      Throwable e = unwrap(error);
      for (Pending op : batch) {
        op.future().completeExceptionally(e);
      }
      return;
    }
    if (batch.size() == 1) {
      batch.get(0).future().complete(r);
      return;
    }
    List<byte[]> parts;
    try {
      parts = ResultCodec.decodeBatch(r.message());
      if (parts.size() != batch.size()) {
        throw new IllegalStateException(
            "batch of " + batch.size() + " got " + parts.size() + " results");
      }
    } catch (RuntimeException e) {
      for (Pending op : batch) {
        op.future()
            .completeExceptionally(
                Status.INTERNAL
                    .withDescription("bad batch reply: " + e.getMessage())
                    .asException());
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).future().complete(new RaftGateway.Reply(parts.get(i), r.logIndex()));
    }
  }

  private void onEntryDone(RaftGroupId group, Lane lane) {
    synchronized (lane) {
      lane.inFlight--;
      if (lane.queue.isEmpty()) {
        return;
      }
    }
    // Propose the queued writes off the completing thread (a Ratis thread).
    try {
      executor.execute(
          () -> {
            List<Pending> next;
            synchronized (lane) {
              next = takeIfReady(lane, true);
            }
            if (next != null) {
              propose(group, lane, next);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      failQueued(lane);
    }
  }

  private static List<ByteBuffer> keys(Command c) {
    List<byte[]> raw = Command.writtenKeys(c);
    List<ByteBuffer> out = new ArrayList<>(raw.size());
    for (byte[] k : raw) {
      out.add(ByteBuffer.wrap(k));
    }
    return out;
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static void failQueued(Lane lane) {
    List<Pending> doomed;
    synchronized (lane) {
      doomed = new ArrayList<>(lane.queue);
      lane.queue.clear();
      lane.queuedBytes = 0;
    }
    for (Pending op : doomed) {
      op.future()
          .completeExceptionally(
              Status.UNAVAILABLE.withDescription("server is shutting down").asRuntimeException());
    }
  }

  /** Fails queued (not yet proposed) writes with UNAVAILABLE and stops the timer thread. */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    for (Lane lane : lanes.values()) {
      failQueued(lane);
    }
  }

  /** One partition's queue. Guarded by its own monitor. */
  private static final class Lane {
    final RaftGroupId group;
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    long queuedBytes;
    int inFlight;
    boolean timerArmed;

    Lane(RaftGroupId group) {
      this.group = group;
    }
  }

  private record Pending(
      byte[] entry,
      List<ByteBuffer> keys,
      long enqueuedNanos,
      long deadlineNanos,
      CompletableFuture<RaftGateway.Reply> future) {}
}

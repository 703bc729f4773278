package io.kvstore.client;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.GetClusterMapRequest;
import io.kvstore.client.proto.KvGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * Sends requests and retries them: routes by the cached cluster map (fetched on first use and when
 * a server reports a newer epoch), follows leader hints at once, moves to the next replica on
 * failures with exponential backoff (20 ms doubling to 1 s, jittered), and gives up at the call's
 * deadline. Thread-safe.
 */
final class RequestRunner implements AutoCloseable {
  private static final long MIN_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 1000;

  private final Endpoints endpoints;
  private final long timeoutMs;
  private final long attemptTimeoutMs;
  private final ScheduledExecutorService timer;
  private final AtomicReference<CompletableFuture<PartitionRouter>> router =
      new AtomicReference<>();

  RequestRunner(Endpoints endpoints, long timeoutMs, long attemptTimeoutMs) {
    this.endpoints = endpoints;
    this.timeoutMs = timeoutMs;
    this.attemptTimeoutMs = attemptTimeoutMs;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kv-client-retry");
              t.setDaemon(true);
              return t;
            });
  }

  Endpoints endpoints() {
    return endpoints;
  }

  long attemptTimeoutMs() {
    return attemptTimeoutMs;
  }

  long newDeadline() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  /** The router of the cached cluster map (fetched if needed). */
  CompletableFuture<PartitionRouter> router() {
    return routerFuture(newDeadline());
  }

  /** A request to the leader of one partition. */
  <T> CompletableFuture<T> callPartition(
      int partition, BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc) {
    return callRouted(r -> partition, rpc);
  }

  /** A request about {@code key}: routed to the leader of the key's partition. */
  <T> CompletableFuture<T> callKey(byte[] key, BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc) {
    return callRouted(r -> r.partitionOf(key), rpc);
  }

  private <T> CompletableFuture<T> callRouted(
      ToIntFunction<PartitionRouter> partitionOf,
      BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc) {
    long deadline = newDeadline();
    CompletableFuture<T> result = new CompletableFuture<>();
    routerFuture(deadline)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                result.completeExceptionally(unwrap(e));
              } else {
                Route route = r.route(partitionOf.applyAsInt(r));
                attempt(new Call<>(route, r, rpc, result, deadline), 0, null);
              }
            });
    return result;
  }

  /** A request any node can answer, sent to the configured endpoints. */
  <T> CompletableFuture<T> callAny(
      BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc, long deadline) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(new Call<>(endpoints, null, rpc, result, deadline), 0, null);
    return result;
  }

  /** The cached router, fetching the cluster map first when there is none (or it failed). */
  private CompletableFuture<PartitionRouter> routerFuture(long deadline) {
    CompletableFuture<PartitionRouter> f = router.get();
    if (f != null && !f.isCompletedExceptionally()) {
      return f;
    }
    CompletableFuture<PartitionRouter> fresh = fetchMap(deadline);
    if (router.compareAndSet(f, fresh)) {
      return fresh;
    }
    return router.get();
  }

  private CompletableFuture<PartitionRouter> fetchMap(long deadline) {
    CompletableFuture<ClusterMapResponse> f =
        callAny(
            (stub, obs) -> stub.getClusterMap(GetClusterMapRequest.getDefaultInstance(), obs),
            deadline);
    return f.thenApply(PartitionRouter::new);
  }

  /** Replaces the map when a server reports a newer epoch than the cached one. */
  private void refreshMap(PartitionRouter current, long epoch) {
    if (current == null || epoch <= current.epoch()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    fetchMap(deadline)
        .thenAccept(
            fresh -> {
              CompletableFuture<PartitionRouter> now = router.get();
              if (now != null
                  && now.isDone()
                  && !now.isCompletedExceptionally()
                  && now.join().epoch() < fresh.epoch()) {
                fresh.inherit(now.join());
                router.compareAndSet(now, CompletableFuture.completedFuture(fresh));
              }
            });
  }

  /** One client call across its attempts. */
  private record Call<T>(
      Route route,
      PartitionRouter router,
      BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc,
      CompletableFuture<T> result,
      long deadline) {}

  private <T> void attempt(Call<T> call, int failures, Throwable last) {
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(call.deadline - System.nanoTime());
    if (remainingMs <= 0) {
      call.result.completeExceptionally(
          new KvTimeoutException(
              "request timed out after " + timeoutMs + " ms" + describe(last), last));
      return;
    }
    String endpoint = call.route.pick();
    KvGrpc.KvStub stub =
        KvGrpc.newStub(endpoints.channel(endpoint))
            .withDeadlineAfter(Math.min(attemptTimeoutMs, remainingMs), TimeUnit.MILLISECONDS);
    CompletableFuture<T> one = new CompletableFuture<>();
    call.rpc.accept(stub, observer(one));
    one.whenComplete(
        (value, error) -> {
          if (error == null) {
            call.result.complete(value);
            return;
          }
          Status status = Status.fromThrowable(error);
          switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED ->
                // RESOURCE_EXHAUSTED is gRPC refusing an oversized message: retrying cannot help
                call.result.completeExceptionally(
                    new KvInvalidArgumentException(status.getDescription()));
            case FAILED_PRECONDITION -> {
              Metadata trailers = Status.trailersFromThrowable(error);
              String leader = trailers == null ? null : trailers.get(KvClient.LEADER_KEY);
              String epoch = trailers == null ? null : trailers.get(KvClient.EPOCH_KEY);
              if (epoch != null) {
                refreshMap(call.router, parseEpoch(epoch));
              }
              if (leader != null && !leader.isEmpty() && !leader.equals(endpoint)) {
                call.route.leaderIs(leader);
                // A fresh hint is followed at once; repeated hops back off like other failures.
                retry(call, failures + 1, error, failures == 0 ? 0 : backoff(failures));
              } else {
                call.route.failed(endpoint);
                retry(call, failures + 1, error, backoff(failures));
              }
            }
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, CANCELLED, UNKNOWN -> {
              call.route.failed(endpoint);
              retry(call, failures + 1, error, backoff(failures));
            }
            default -> call.result.completeExceptionally(translate(error, endpoint));
          }
        });
  }

  private static long parseEpoch(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private <T> void retry(Call<T> call, int failures, Throwable last, long delayMs) {
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(call.deadline - System.nanoTime());
    if (remainingMs <= delayMs) {
      Status s = Status.fromThrowable(last);
      KvException e =
          s.getCode() == Status.Code.DEADLINE_EXCEEDED
              ? new KvTimeoutException(
                  "request timed out after " + timeoutMs + " ms" + describe(last), last)
              : new KvUnavailableException("cluster unavailable" + describe(last), last);
      call.result.completeExceptionally(e);
      return;
    }
    if (delayMs == 0) {
      attempt(call, failures, last);
    } else {
      timer.schedule(() -> attempt(call, failures, last), delayMs, TimeUnit.MILLISECONDS);
    }
  }

  private static long backoff(int failures) {
    long base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures, 10));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private static String describe(Throwable last) {
    if (last == null) {
      return "";
    }
    Status s = Status.fromThrowable(last);
    String d = s.getDescription();
    return ": last error " + s.getCode() + (d == null ? "" : " (" + d + ")");
  }

  static KvException translate(Throwable error, String endpoint) {
    Status s = Status.fromThrowable(error);
    String d = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    return switch (s.getCode()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED -> new KvInvalidArgumentException(d);
      case DEADLINE_EXCEEDED -> new KvTimeoutException(endpoint + " timed out: " + d, error);
      case UNAVAILABLE -> new KvUnavailableException(endpoint + " unavailable: " + d, error);
      default -> new KvException(endpoint + ": " + s.getCode() + ": " + d, error);
    };
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        f.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        if (!f.isDone()) {
          f.completeExceptionally(
              new StatusRuntimeException(Status.INTERNAL.withDescription("no response")));
        }
      }
    };
  }

  static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof KvException k) {
        throw k;
      }
      throw new KvException(String.valueOf(c), c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException("interrupted");
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    endpoints.close();
  }
}

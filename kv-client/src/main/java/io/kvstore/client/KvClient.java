package io.kvstore.client;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusRequest;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.DeleteRequest;
import io.kvstore.client.proto.DeleteResponse;
import io.kvstore.client.proto.GetClusterMapRequest;
import io.kvstore.client.proto.GetRequest;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.KvGrpc;
import io.kvstore.client.proto.PutRequest;
import io.kvstore.client.proto.PutResponse;
import io.kvstore.client.proto.WriteHeader;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * A client of the store. Thread-safe; one instance per application is enough.
 *
 * <p>Every call has an overall deadline ({@link Builder#timeout}). Within it the client sends the
 * request to the node it believes leads, follows {@code NOT_LEADER} hints at once, and on
 * unavailable nodes moves to the next endpoint with exponential backoff (20 ms doubling to 1 s,
 * with jitter). Writes carry this client's session id and a sequence number, and a retry reuses
 * them, so the store applies each write at most once.
 *
 * <p>Errors: {@link KvInvalidArgumentException} (nothing changed), {@link KvUnavailableException}
 * (no node could serve before the deadline), {@link KvTimeoutException} (deadline passed; a write's
 * outcome is unknown). Async methods complete exceptionally with the same types.
 */
public final class KvClient implements AutoCloseable {
  /** Trailer key the server uses for the leader's client endpoint. */
  public static final Metadata.Key<String> LEADER_KEY =
      Metadata.Key.of("kv-leader", Metadata.ASCII_STRING_MARSHALLER);

  /** Trailer key the server uses for the epoch of its cluster map. */
  public static final Metadata.Key<String> EPOCH_KEY =
      Metadata.Key.of("kv-epoch", Metadata.ASCII_STRING_MARSHALLER);

  private static final long MIN_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 1000;

  private final Endpoints endpoints;
  private final long timeoutMs;
  private final long attemptTimeoutMs;
  private final ScheduledExecutorService timer;
  private final long sessionHigh;
  private final long sessionLow;
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
  private final AtomicReference<CompletableFuture<PartitionRouter>> router =
      new AtomicReference<>();

  private KvClient(Builder b) {
    this.endpoints = new Endpoints(b.endpoints, b.maxMessageBytes);
    this.timeoutMs = b.timeout.toMillis();
    this.attemptTimeoutMs = Math.min(b.attemptTimeout.toMillis(), timeoutMs);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kv-client-retry");
              t.setDaemon(true);
              return t;
            });
    SecureRandom random = new SecureRandom();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    this.sessionHigh = high;
    this.sessionLow = low;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder: endpoints are required; timeouts default to 10 s overall and 3 s per attempt. */
  public static final class Builder {
    private List<String> endpoints = List.of();
    private Duration timeout = Duration.ofSeconds(10);
    private Duration attemptTimeout = Duration.ofSeconds(3);
    private int maxMessageBytes = 8 << 20;

    public Builder endpoints(List<String> endpoints) {
      this.endpoints = List.copyOf(endpoints);
      return this;
    }

    public Builder endpoints(String commaSeparated) {
      return endpoints(List.of(commaSeparated.trim().split("\\s*,\\s*")));
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = attemptTimeout;
      return this;
    }

    public KvClient build() {
      return new KvClient(this);
    }
  }

  // ---- synchronous API

  /** Sets {@code key} to {@code value}; returns the new version. */
  public long put(byte[] key, byte[] value) {
    return join(putAsync(key, value));
  }

  /** Reads {@code key} linearizably. */
  public Optional<KeyValue> get(byte[] key) {
    return join(getAsync(key));
  }

  /** Deletes {@code key}. */
  public DeleteResult delete(byte[] key) {
    return join(deleteAsync(key));
  }

  /** One node's status; a single attempt bounded by the per-attempt timeout. */
  public ClusterStatusResponse status(String endpoint) {
    Endpoints.parse(endpoint);
    CompletableFuture<ClusterStatusResponse> f = new CompletableFuture<>();
    KvGrpc.newStub(endpoints.channel(endpoint))
        .withDeadlineAfter(attemptTimeoutMs, TimeUnit.MILLISECONDS)
        .clusterStatus(ClusterStatusRequest.getDefaultInstance(), observer(f));
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw translate(e.getCause(), endpoint);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException("interrupted");
    }
  }

  /** The cluster map, fetched fresh from the configured endpoints. */
  public ClusterMapResponse clusterMap() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return join(
        callAny(
            (stub, obs) -> stub.getClusterMap(GetClusterMapRequest.getDefaultInstance(), obs),
            deadline));
  }

  /** The endpoints this client knows (configured ones plus leader hints). */
  public List<String> endpoints() {
    return endpoints.all();
  }

  // ---- asynchronous API

  public CompletableFuture<Long> putAsync(byte[] key, byte[] value) {
    WriteHeader header = nextHeader();
    PutRequest req =
        PutRequest.newBuilder()
            .setHeader(header)
            .setKey(ByteString.copyFrom(key))
            .setValue(ByteString.copyFrom(value))
            .build();
    CompletableFuture<PutResponse> f = write(header, key, (stub, obs) -> stub.put(req, obs));
    return f.thenApply(PutResponse::getVersion);
  }

  public CompletableFuture<DeleteResult> deleteAsync(byte[] key) {
    WriteHeader header = nextHeader();
    DeleteRequest req =
        DeleteRequest.newBuilder().setHeader(header).setKey(ByteString.copyFrom(key)).build();
    CompletableFuture<DeleteResponse> f = write(header, key, (stub, obs) -> stub.delete(req, obs));
    return f.thenApply(d -> new DeleteResult(d.getDeleted(), d.getVersion()));
  }

  public CompletableFuture<Optional<KeyValue>> getAsync(byte[] key) {
    GetRequest req = GetRequest.newBuilder().setKey(ByteString.copyFrom(key)).build();
    CompletableFuture<GetResponse> f = callKey(key, (stub, obs) -> stub.get(req, obs));
    return f.thenApply(
        r ->
            r.getFound()
                ? Optional.of(
                    new KeyValue(
                        key.clone(),
                        r.getValue().toByteArray(),
                        r.getVersion(),
                        r.getCreateVersion()))
                : Optional.empty());
  }

  private WriteHeader nextHeader() {
    long seq = sequence.incrementAndGet();
    inFlight.add(seq);
    Long lowest = inFlight.isEmpty() ? seq : inFlight.first();
    return WriteHeader.newBuilder()
        .setSessionHigh(sessionHigh)
        .setSessionLow(sessionLow)
        .setSequence(seq)
        .setLowestUnacked(Math.min(lowest, seq))
        .build();
  }

  private <T> CompletableFuture<T> write(
      WriteHeader header, byte[] key, BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc) {
    CompletableFuture<T> f = callKey(key, rpc);
    // Only a definite outcome releases the sequence; after a timeout the write may still apply.
    f.whenComplete(
        (r, e) -> {
          if (e == null || !(unwrap(e) instanceof KvTimeoutException)) {
            inFlight.remove(header.getSequence());
          }
        });
    return f;
  }

  /** A request about {@code key}: routed to the leader of the key's partition. */
  private <T> CompletableFuture<T> callKey(
      byte[] key, BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    CompletableFuture<T> result = new CompletableFuture<>();
    routerFuture(deadline)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                result.completeExceptionally(unwrap(e));
              } else {
                attempt(new Call<>(r.route(r.partitionOf(key)), r, rpc, result, deadline), 0, null);
              }
            });
    return result;
  }

  /** A request any node can answer, sent to the configured endpoints. */
  private <T> CompletableFuture<T> callAny(
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
              String leader = trailers == null ? null : trailers.get(LEADER_KEY);
              String epoch = trailers == null ? null : trailers.get(EPOCH_KEY);
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

  private static KvException translate(Throwable error, String endpoint) {
    Status s = Status.fromThrowable(error);
    String d = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    return switch (s.getCode()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED -> new KvInvalidArgumentException(d);
      case DEADLINE_EXCEEDED -> new KvTimeoutException(endpoint + " timed out: " + d, error);
      case UNAVAILABLE -> new KvUnavailableException(endpoint + " unavailable: " + d, error);
      default -> new KvException(endpoint + ": " + s.getCode() + ": " + d, error);
    };
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
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

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static <T> T join(CompletableFuture<T> f) {
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

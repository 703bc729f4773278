package io.kvstore.client;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.Ack;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusRequest;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.Compare;
import io.kvstore.client.proto.DeleteRequest;
import io.kvstore.client.proto.DeleteResponse;
import io.kvstore.client.proto.GetClusterMapRequest;
import io.kvstore.client.proto.GetRequest;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.KvGrpc;
import io.kvstore.client.proto.PutRequest;
import io.kvstore.client.proto.PutResponse;
import io.kvstore.client.proto.ScanRequest;
import io.kvstore.client.proto.ScanResponse;
import io.kvstore.client.proto.TxnOp;
import io.kvstore.client.proto.TxnRequest;
import io.kvstore.client.proto.TxnResponse;
import io.kvstore.client.proto.WriteHeader;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A client of the store. Thread-safe; one instance per application is enough.
 *
 * <p>Routing: the client fetches the cluster map from any configured endpoint, hashes each key to
 * its partition and sends the request to that partition's leader; requests for different partitions
 * run in parallel. Every call has an overall deadline ({@link Builder#timeout}); within it the
 * client follows leader hints at once and moves to other replicas with bounded backoff. Writes
 * carry this client's session id and a sequence number, and a retry reuses them, so the store
 * applies each write at most once.
 *
 * <p>Errors: {@link KvInvalidArgumentException} (nothing changed), {@link KvUnavailableException}
 * (no replica could serve before the deadline), {@link KvTimeoutException} (deadline passed; a
 * write's outcome is unknown). Async methods complete exceptionally with the same types.
 * Conditional writes that find another version are not errors: their result says so.
 */
public final class KvClient implements AutoCloseable {
  /** Trailer key the server uses for the leader's client endpoint. */
  public static final Metadata.Key<String> LEADER_KEY =
      Metadata.Key.of("kv-leader", Metadata.ASCII_STRING_MARSHALLER);

  /** Trailer key the server uses for the epoch of its cluster map. */
  public static final Metadata.Key<String> EPOCH_KEY =
      Metadata.Key.of("kv-epoch", Metadata.ASCII_STRING_MARSHALLER);

  private final RequestRunner runner;
  private final long sessionHigh;
  private final long sessionLow;
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();

  private KvClient(Builder b) {
    long timeoutMs = b.timeout.toMillis();
    this.runner =
        new RequestRunner(
            new Endpoints(b.endpoints, b.maxMessageBytes),
            timeoutMs,
            Math.min(b.attemptTimeout.toMillis(), timeoutMs));
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

  /** A put with a condition and/or acknowledgement level. */
  public PutResult put(byte[] key, byte[] value, WriteOptions options) {
    return join(putAsync(key, value, options));
  }

  /** Reads {@code key} linearizably. */
  public Optional<KeyValue> get(byte[] key) {
    return join(getAsync(key));
  }

  /** Reads {@code key} at the given consistency. */
  public Optional<KeyValue> get(byte[] key, ReadOptions options) {
    return join(getAsync(key, options));
  }

  /** Reads many keys (in parallel over their partitions); results in the order of {@code keys}. */
  public List<Optional<KeyValue>> getAll(List<byte[]> keys, ReadOptions options) {
    List<CompletableFuture<Optional<KeyValue>>> fs = new ArrayList<>();
    for (byte[] k : keys) {
      fs.add(getAsync(k, options));
    }
    List<Optional<KeyValue>> out = new ArrayList<>();
    for (CompletableFuture<Optional<KeyValue>> f : fs) {
      out.add(join(f));
    }
    return out;
  }

  /** Deletes {@code key}. */
  public DeleteResult delete(byte[] key) {
    return join(deleteAsync(key));
  }

  /**
   * A delete with a condition ({@link WriteOptions#onlyIfVersion}) and/or acknowledgement level.
   */
  public DeleteResult delete(byte[] key, WriteOptions options) {
    return join(deleteAsync(key, options));
  }

  /** Runs a transaction; all its keys must share a partition (use a hash tag). */
  public TxnResponse txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
    return join(txnAsync(compares, success, failure, WriteOptions.DEFAULT));
  }

  /** Writes many puts and deletes: each partition's share commits atomically, see {@link Batch}. */
  public Batch.Result batch(List<TxnOp> ops) {
    return join(new Batch(this, ops).runAsync());
  }

  /** Keys in [start, end) (null: open), at most {@code limit}, merged over all partitions. */
  public Scan.Page scan(byte[] start, byte[] end, int limit, ReadOptions options) {
    return join(new Scan(this, start, end, limit, options).runAsync());
  }

  /**
   * Keys starting with {@code prefix}, at most {@code limit}, after {@code after} (null: first).
   */
  public Scan.Page scanPrefix(byte[] prefix, byte[] after, int limit, ReadOptions options) {
    byte[] start = after == null ? prefix : Scan.successor(after);
    return scan(start, Scan.prefixEnd(prefix), limit, options);
  }

  /** One node's status; a single attempt bounded by the per-attempt timeout. */
  public ClusterStatusResponse status(String endpoint) {
    Endpoints.parse(endpoint);
    CompletableFuture<ClusterStatusResponse> f = new CompletableFuture<>();
    KvGrpc.newStub(runner.endpoints().channel(endpoint))
        .withDeadlineAfter(runner.attemptTimeoutMs(), TimeUnit.MILLISECONDS)
        .clusterStatus(ClusterStatusRequest.getDefaultInstance(), RequestRunner.observer(f));
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw RequestRunner.translate(e.getCause(), endpoint);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException("interrupted");
    }
  }

  /** The cluster map, fetched fresh from the configured endpoints. */
  public ClusterMapResponse clusterMap() {
    return join(
        runner.callAny(
            (stub, obs) -> stub.getClusterMap(GetClusterMapRequest.getDefaultInstance(), obs),
            runner.newDeadline()));
  }

  /** The endpoints this client knows (configured ones plus leader hints). */
  public List<String> endpoints() {
    return runner.endpoints().all();
  }

  // ---- asynchronous API

  public CompletableFuture<Long> putAsync(byte[] key, byte[] value) {
    return putAsync(key, value, WriteOptions.DEFAULT).thenApply(PutResult::version);
  }

  public CompletableFuture<PutResult> putAsync(byte[] key, byte[] value, WriteOptions options) {
    WriteHeader header = nextHeader();
    PutRequest.Builder req =
        PutRequest.newBuilder()
            .setHeader(header)
            .setKey(ByteString.copyFrom(key))
            .setValue(ByteString.copyFrom(value))
            .setAck(options.ackAll() ? Ack.ALL : Ack.MAJORITY);
    if (options.ifAbsent()) {
      req.setIfAbsent(true);
    } else if (options.ifVersion() > 0) {
      req.setIfVersion(options.ifVersion());
    }
    PutRequest r = req.build();
    CompletableFuture<PutResponse> f = write(header, key, (stub, obs) -> stub.put(r, obs));
    return f.thenApply(
        p ->
            new PutResult(
                p.getApplied(), p.getVersion(), p.getCurrentVersion(), !p.getNotOnAllReplicas()));
  }

  public CompletableFuture<DeleteResult> deleteAsync(byte[] key) {
    return deleteAsync(key, WriteOptions.DEFAULT);
  }

  public CompletableFuture<DeleteResult> deleteAsync(byte[] key, WriteOptions options) {
    WriteHeader header = nextHeader();
    DeleteRequest.Builder req =
        DeleteRequest.newBuilder()
            .setHeader(header)
            .setKey(ByteString.copyFrom(key))
            .setAck(options.ackAll() ? Ack.ALL : Ack.MAJORITY);
    if (options.ifVersion() > 0) {
      req.setIfVersion(options.ifVersion());
    }
    DeleteRequest r = req.build();
    CompletableFuture<DeleteResponse> f = write(header, key, (stub, obs) -> stub.delete(r, obs));
    return f.thenApply(
        d ->
            new DeleteResult(
                d.getDeleted(),
                d.getVersion(),
                d.getApplied(),
                d.getCurrentVersion(),
                !d.getNotOnAllReplicas()));
  }

  public CompletableFuture<Optional<KeyValue>> getAsync(byte[] key) {
    return getAsync(key, ReadOptions.LINEARIZABLE);
  }

  public CompletableFuture<Optional<KeyValue>> getAsync(byte[] key, ReadOptions options) {
    GetRequest req =
        GetRequest.newBuilder()
            .setKey(ByteString.copyFrom(key))
            .setConsistency(options.consistency())
            .setMaxStalenessMs(options.maxStalenessMs())
            .setMaxLagEntries(options.maxLagEntries())
            .build();
    CompletableFuture<GetResponse> f = runner.callKey(key, (stub, obs) -> stub.get(req, obs));
    return f.thenApply(r -> KeyValue.of(key, r));
  }

  /** Runs a transaction; routed by its first key. */
  public CompletableFuture<TxnResponse> txnAsync(
      List<Compare> compares, List<TxnOp> success, List<TxnOp> failure, WriteOptions options) {
    byte[] routeKey = Txns.firstKey(compares, success, failure);
    if (routeKey == null) {
      return CompletableFuture.failedFuture(
          new KvInvalidArgumentException("transaction names no key"));
    }
    WriteHeader header = nextHeader();
    TxnRequest req =
        TxnRequest.newBuilder()
            .setHeader(header)
            .addAllCompares(compares)
            .addAllSuccess(success)
            .addAllFailure(failure)
            .setAck(options.ackAll() ? Ack.ALL : Ack.MAJORITY)
            .build();
    return write(header, routeKey, (stub, obs) -> stub.txn(req, obs));
  }

  // ---- plumbing shared with Batch and Scan

  RequestRunner runner() {
    return runner;
  }

  CompletableFuture<TxnResponse> txnInPartition(int partition, List<TxnOp> ops) {
    WriteHeader header = nextHeader();
    TxnRequest req = TxnRequest.newBuilder().setHeader(header).addAllSuccess(ops).build();
    CompletableFuture<TxnResponse> f =
        runner.callPartition(partition, (stub, obs) -> stub.txn(req, obs));
    return released(header, f);
  }

  CompletableFuture<ScanResponse> scanPartition(ScanRequest req) {
    return runner.callPartition(req.getPartition(), (stub, obs) -> stub.scan(req, obs));
  }

  private WriteHeader nextHeader() {
    long seq = sequence.incrementAndGet();
    inFlight.add(seq);
    Long lowest = inFlight.first();
    return WriteHeader.newBuilder()
        .setSessionHigh(sessionHigh)
        .setSessionLow(sessionLow)
        .setSequence(seq)
        .setLowestUnacked(Math.min(lowest, seq))
        .build();
  }

  private <T> CompletableFuture<T> write(
      WriteHeader header, byte[] key, BiConsumer<KvGrpc.KvStub, StreamObserver<T>> rpc) {
    return released(header, runner.callKey(key, rpc));
  }

  /** Only a definite outcome releases the sequence; after a timeout the write may still apply. */
  private <T> CompletableFuture<T> released(WriteHeader header, CompletableFuture<T> f) {
    f.whenComplete(
        (r, e) -> {
          if (e == null || !(RequestRunner.unwrap(e) instanceof KvTimeoutException)) {
            inFlight.remove(header.getSequence());
          }
        });
    return f;
  }

  private static <T> T join(CompletableFuture<T> f) {
    return RequestRunner.join(f);
  }

  @Override
  public void close() {
    runner.close();
  }
}

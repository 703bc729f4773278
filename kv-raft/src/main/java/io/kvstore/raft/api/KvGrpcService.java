package io.kvstore.raft.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.Ack;
import io.kvstore.client.proto.ClusterMapResponse;
import io.kvstore.client.proto.ClusterStatusRequest;
import io.kvstore.client.proto.ClusterStatusResponse;
import io.kvstore.client.proto.DeleteRequest;
import io.kvstore.client.proto.DeleteResponse;
import io.kvstore.client.proto.GetClusterMapRequest;
import io.kvstore.client.proto.GetRequest;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.KeyValueEntry;
import io.kvstore.client.proto.KvGrpc;
import io.kvstore.client.proto.PutRequest;
import io.kvstore.client.proto.PutResponse;
import io.kvstore.client.proto.ScanRequest;
import io.kvstore.client.proto.ScanResponse;
import io.kvstore.client.proto.TxnRequest;
import io.kvstore.client.proto.TxnResponse;
import io.kvstore.client.proto.WriteHeader;
import io.kvstore.core.codec.QueryCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The gRPC endpoint of {@code kv.proto}. Validates input (a bad request changes nothing and gets
 * INVALID_ARGUMENT), routes the key to its partition, and submits through the {@link RaftGateway}
 * (writes, linearizable reads) or {@link LocalReads} (weaker read levels).
 */
public final class KvGrpcService extends KvGrpc.KvImplBase {
  /** Which local Raft group serves a key or partition; throws a redirect status when none does. */
  public interface Router {
    RaftGroupId groupOf(byte[] key);

    int partitionOf(byte[] key);

    RaftGroupId groupOfPartition(int partition);
  }

  static final int MAX_SCAN_LIMIT = 10_000;

  private final RaftGateway gateway;
  private final LocalReads reads;
  private final Router router;
  private final RequestLimits limits;
  private final Supplier<ClusterStatusResponse> status;
  private final Supplier<ClusterMapResponse> clusterMap;

  public KvGrpcService(
      RaftGateway gateway,
      LocalReads reads,
      Router router,
      RequestLimits limits,
      Supplier<ClusterStatusResponse> status,
      Supplier<ClusterMapResponse> clusterMap) {
    this.gateway = gateway;
    this.reads = reads;
    this.router = router;
    this.limits = limits;
    this.status = status;
    this.clusterMap = clusterMap;
  }

  @Override
  public void put(PutRequest req, StreamObserver<PutResponse> out) {
    byte[] key = req.getKey().toByteArray();
    byte[] value = req.getValue().toByteArray();
    RaftGroupId group =
        checked(
            out,
            () -> {
              limits.checkKey(key);
              limits.checkValue(value);
              return router.groupOf(key);
            });
    if (group == null) {
      return;
    }
    long expected =
        switch (req.getConditionCase()) {
          case IF_ABSENT -> req.getIfAbsent() ? Command.ABSENT : Command.ANY_VERSION;
          case IF_VERSION -> req.getIfVersion();
          default -> Command.ANY_VERSION;
        };
    Proposal p = new Proposal(requestId(req.getHeader()), new Command.Put(key, value, expected));
    reply(
        out,
        write(group, p, req.getAck()),
        w -> {
          Result r = ResultCodec.decode(w.reply.message());
          PutResponse.Builder b = PutResponse.newBuilder().setNotOnAllReplicas(!w.onAll);
          if (r instanceof Result.Written x) {
            return b.setApplied(true).setVersion(x.version()).build();
          }
          if (r instanceof Result.ConditionFailed x) {
            return b.setApplied(false).setCurrentVersion(x.currentVersion()).build();
          }
          throw rejected(r);
        });
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
    byte[] key = req.getKey().toByteArray();
    RaftGroupId group =
        checked(
            out,
            () -> {
              limits.checkKey(key);
              return router.groupOf(key);
            });
    if (group == null) {
      return;
    }
    long expected =
        req.getConditionCase() == DeleteRequest.ConditionCase.IF_VERSION
            ? req.getIfVersion()
            : Command.ANY_VERSION;
    Proposal p = new Proposal(requestId(req.getHeader()), new Command.Delete(key, expected));
    reply(
        out,
        write(group, p, req.getAck()),
        w -> {
          Result r = ResultCodec.decode(w.reply.message());
          DeleteResponse.Builder b = DeleteResponse.newBuilder().setNotOnAllReplicas(!w.onAll);
          if (r instanceof Result.Deleted x) {
            return b.setApplied(true).setDeleted(x.existed()).setVersion(x.version()).build();
          }
          if (r instanceof Result.ConditionFailed x) {
            return b.setApplied(false).setCurrentVersion(x.currentVersion()).build();
          }
          throw rejected(r);
        });
  }

  @Override
  public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
    Command.Txn[] txn = new Command.Txn[1];
    RaftGroupId group =
        checked(
            out,
            () -> {
              txn[0] = TxnMessages.toCommand(req);
              if (txn[0].size() > Command.MAX_TXN_OPS) {
                throw new IllegalArgumentException(
                    "transaction has "
                        + txn[0].size()
                        + " operations; the limit is "
                        + Command.MAX_TXN_OPS);
              }
              TreeSet<Integer> partitions = new TreeSet<>();
              for (byte[] k : TxnMessages.keys(txn[0])) {
                limits.checkKey(k);
                partitions.add(router.partitionOf(k));
              }
              for (Command.Op op : txn[0].success()) {
                if (op instanceof Command.OpPut put) {
                  limits.checkValue(put.value());
                }
              }
              if (partitions.size() > 1) {
                throw new IllegalArgumentException(
                    "transaction spans partitions "
                        + partitions
                        + "; keys of one transaction must share a partition (use a hash tag "
                        + "such as {account-7} in every key)");
              }
              if (partitions.isEmpty()) {
                throw new IllegalArgumentException("transaction names no key");
              }
              return router.groupOfPartition(partitions.first());
            });
    if (group == null) {
      return;
    }
    Proposal p = new Proposal(requestId(req.getHeader()), txn[0]);
    reply(
        out,
        write(group, p, req.getAck()),
        w -> {
          Result r = ResultCodec.decode(w.reply.message());
          if (r instanceof Result.TxnDone done) {
            return TxnMessages.toResponse(done).setNotOnAllReplicas(!w.onAll).build();
          }
          throw rejected(r);
        });
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetResponse> out) {
    byte[] key = req.getKey().toByteArray();
    RaftGroupId group =
        checked(
            out,
            () -> {
              limits.checkKey(key);
              return router.groupOf(key);
            });
    if (group == null) {
      return;
    }
    CompletableFuture<byte[]> f =
        reads.read(
            group,
            QueryCodec.encodeGet(key),
            req.getConsistency(),
            req.getMaxStalenessMs(),
            req.getMaxLagEntries(),
            deadlineMs());
    reply(out, f, bytes -> TxnMessages.getResponse(QueryCodec.decodeGetReply(bytes)));
  }

  @Override
  public void scan(ScanRequest req, StreamObserver<ScanResponse> out) {
    RaftGroupId group =
        checked(
            out,
            () -> {
              if (req.getLimit() < 1 || req.getLimit() > MAX_SCAN_LIMIT) {
                throw new IllegalArgumentException(
                    "scan limit " + req.getLimit() + " is outside 1.." + MAX_SCAN_LIMIT);
              }
              return router.groupOfPartition(req.getPartition());
            });
    if (group == null) {
      return;
    }
    byte[] query =
        QueryCodec.encodeScan(
            req.getStart().toByteArray(), req.getEnd().toByteArray(), req.getLimit());
    CompletableFuture<byte[]> f =
        reads.read(
            group,
            query,
            req.getConsistency(),
            req.getMaxStalenessMs(),
            req.getMaxLagEntries(),
            deadlineMs());
    reply(
        out,
        f,
        bytes -> {
          QueryCodec.ScanReply r = QueryCodec.decodeScanReply(bytes);
          ScanResponse.Builder b = ScanResponse.newBuilder().setMore(r.more());
          for (QueryCodec.Entry e : r.entries()) {
            b.addEntries(
                KeyValueEntry.newBuilder()
                    .setKey(ByteString.copyFrom(e.key()))
                    .setValue(ByteString.copyFrom(e.value().value()))
                    .setVersion(e.value().version())
                    .setCreateVersion(e.value().createVersion()));
          }
          return b.build();
        });
  }

  @Override
  public void getClusterMap(GetClusterMapRequest req, StreamObserver<ClusterMapResponse> out) {
    out.onNext(clusterMap.get());
    out.onCompleted();
  }

  @Override
  public void clusterStatus(ClusterStatusRequest req, StreamObserver<ClusterStatusResponse> out) {
    out.onNext(status.get());
    out.onCompleted();
  }

  /** A write's reply, and whether every replica applied it (always true with Ack MAJORITY). */
  private record Written(RaftGateway.Reply reply, boolean onAll) {}

  private CompletableFuture<Written> write(RaftGroupId group, Proposal p, Ack ack) {
    long deadline = deadlineMs();
    CompletableFuture<RaftGateway.Reply> f = gateway.propose(group, p, deadline);
    if (ack != Ack.ALL) {
      return f.thenApply(r -> new Written(r, true));
    }
    return f.thenCompose(
        r ->
            gateway
                .awaitAllReplicas(group, r.logIndex(), deadline)
                .thenApply(all -> new Written(r, all)));
  }

  private static RequestId requestId(WriteHeader h) {
    return new RequestId(
        h.getSessionHigh(), h.getSessionLow(), h.getSequence(), h.getLowestUnacked());
  }

  private static StatusRuntimeException rejected(Result r) {
    String why = r instanceof Result.Rejected x ? x.reason() : "unexpected result " + r;
    return Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
  }

  /**
   * Runs validation and routing; on bad input answers INVALID_ARGUMENT, on a routing redirect
   * answers with it, and returns null in both cases.
   */
  private static <T> T checked(StreamObserver<?> out, Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (StatusRuntimeException e) {
      out.onError(e);
    }
    return null;
  }

  /** Milliseconds left of the caller's deadline, or 0 if it set none. */
  private static long deadlineMs() {
    Deadline d = Context.current().getDeadline();
    return d == null ? 0 : Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS));
  }

  private static <R, T> void reply(
      StreamObserver<T> out, CompletableFuture<R> f, Function<R, T> decode) {
    f.thenApply(decode)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                out.onNext(value);
                out.onCompleted();
                return;
              }
              Throwable e =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              out.onError(
                  e instanceof StatusRuntimeException
                      ? e
                      : Status.INTERNAL.withDescription(String.valueOf(e)).asRuntimeException());
            });
  }
}

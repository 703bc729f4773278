package io.kvstore.raft.api;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
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
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.codec.QueryCodec;
import io.kvstore.core.codec.ResultCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.command.Result;
import io.kvstore.core.command.VersionedValue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The gRPC endpoint of {@code kv.proto}. Validates input (a bad request changes nothing and gets
 * INVALID_ARGUMENT), routes the key to its partition, and submits through the {@link RaftGateway}.
 */
public final class KvGrpcService extends KvGrpc.KvImplBase {
  /** Which local Raft group serves a key; throws a redirect status when none does. */
  public interface Router {
    RaftGroupId groupOf(byte[] key);
  }

  private final RaftGateway gateway;
  private final Router router;
  private final RequestLimits limits;
  private final Supplier<ClusterStatusResponse> status;
  private final Supplier<ClusterMapResponse> clusterMap;

  public KvGrpcService(
      RaftGateway gateway,
      Router router,
      RequestLimits limits,
      Supplier<ClusterStatusResponse> status,
      Supplier<ClusterMapResponse> clusterMap) {
    this.gateway = gateway;
    this.router = router;
    this.limits = limits;
    this.status = status;
    this.clusterMap = clusterMap;
  }

  @Override
  public void put(PutRequest req, StreamObserver<PutResponse> out) {
    byte[] key = req.getKey().toByteArray();
    byte[] value = req.getValue().toByteArray();
    if (!valid(
        out,
        () -> {
          limits.checkKey(key);
          limits.checkValue(value);
        })) {
      return;
    }
    RaftGroupId group = route(key, out);
    if (group == null) {
      return;
    }
    Proposal p = new Proposal(requestId(req.getHeader()), new Command.Put(key, value));
    reply(
        out,
        gateway.write(group, CommandCodec.encode(p), deadlineMs()),
        bytes -> {
          Result r = ResultCodec.decode(bytes);
          if (r instanceof Result.Written w) {
            return PutResponse.newBuilder().setVersion(w.version()).build();
          }
          throw rejected(r);
        });
  }

  @Override
  public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
    byte[] key = req.getKey().toByteArray();
    if (!valid(out, () -> limits.checkKey(key))) {
      return;
    }
    RaftGroupId group = route(key, out);
    if (group == null) {
      return;
    }
    Proposal p = new Proposal(requestId(req.getHeader()), new Command.Delete(key));
    reply(
        out,
        gateway.write(group, CommandCodec.encode(p), deadlineMs()),
        bytes -> {
          Result r = ResultCodec.decode(bytes);
          if (r instanceof Result.Deleted d) {
            return DeleteResponse.newBuilder()
                .setDeleted(d.existed())
                .setVersion(d.version())
                .build();
          }
          throw rejected(r);
        });
  }

  @Override
  public void get(GetRequest req, StreamObserver<GetResponse> out) {
    byte[] key = req.getKey().toByteArray();
    if (!valid(out, () -> limits.checkKey(key))) {
      return;
    }
    RaftGroupId group = route(key, out);
    if (group == null) {
      return;
    }
    reply(
        out,
        gateway.read(group, QueryCodec.encodeGet(key), deadlineMs()),
        bytes -> {
          VersionedValue v = QueryCodec.decodeGetReply(bytes);
          if (v == null) {
            return GetResponse.newBuilder().setFound(false).build();
          }
          return GetResponse.newBuilder()
              .setFound(true)
              .setValue(ByteString.copyFrom(v.value()))
              .setVersion(v.version())
              .setCreateVersion(v.createVersion())
              .build();
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

  private static RequestId requestId(WriteHeader h) {
    return new RequestId(
        h.getSessionHigh(), h.getSessionLow(), h.getSequence(), h.getLowestUnacked());
  }

  private static StatusRuntimeException rejected(Result r) {
    String why = r instanceof Result.Rejected x ? x.reason() : "unexpected result " + r;
    return Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
  }

  /** The local group serving {@code key}, or null after answering the client with a redirect. */
  private RaftGroupId route(byte[] key, StreamObserver<?> out) {
    try {
      return router.groupOf(key);
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return null;
    }
  }

  private static boolean valid(StreamObserver<?> out, Runnable check) {
    try {
      check.run();
      return true;
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return false;
    }
  }

  /** Milliseconds left of the caller's deadline, or 0 if it set none. */
  private static long deadlineMs() {
    Deadline d = Context.current().getDeadline();
    return d == null ? 0 : Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS));
  }

  private static <T> void reply(
      StreamObserver<T> out, CompletableFuture<byte[]> f, Function<byte[], T> decode) {
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

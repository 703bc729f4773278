package io.kvstore.raft.admin;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvstore.client.proto.ClusterMapFile;
import io.kvstore.client.proto.ClusterMapFileRequest;
import io.kvstore.client.proto.GetCheckRequest;
import io.kvstore.client.proto.GetCheckResponse;
import io.kvstore.client.proto.KvAdminGrpc;
import io.kvstore.client.proto.SavePartitionChunk;
import io.kvstore.client.proto.SavePartitionRequest;
import io.kvstore.client.proto.SnapshotEnd;
import io.kvstore.client.proto.SnapshotStart;
import io.kvstore.client.proto.StartCheckRequest;
import io.kvstore.client.proto.StartCheckResponse;
import io.kvstore.core.cluster.ClusterMap;
import io.kvstore.core.cluster.ClusterMapCodec;
import io.kvstore.core.codec.CommandCodec;
import io.kvstore.core.command.Command;
import io.kvstore.core.command.Proposal;
import io.kvstore.core.command.RequestId;
import io.kvstore.core.storage.ConsistentCut;
import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.SnapshotFormat;
import io.kvstore.raft.api.KvGrpcService;
import io.kvstore.raft.api.RaftGateway;
import io.kvstore.raft.statemachine.KvStateMachine;
import io.kvstore.raft.statemachine.ReplicaCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code KvAdmin} gRPC service ({@code kv_admin.proto}): partition snapshots for backups and
 * replica hashes for consistency checks. Both put a marker entry into the partition's log through
 * the leader, so they happen at a linearizable point, and read the replica's state as of that entry
 * from a {@link ConsistentCut} while the partition keeps applying writes.
 */
public final class KvAdminService extends KvAdminGrpc.KvAdminImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(KvAdminService.class);

  /** Bytes of snapshot per streamed message. */
  static final int CHUNK_BYTES = 1 << 20;

  /** How long a stream may wait for a client that does not read before it gives up. */
  static final long STALLED_CLIENT_MS = 120_000;

  /** The key-hash function of the maps this node serves (as in kv.proto). */
  static final String KEY_HASH = "xxh64-seed0-hashtag";

  private final RaftServer raft;
  private final RaftGateway gateway;
  private final KvGrpcService.Router router;
  private final Supplier<ClusterMap> map;
  private final String nodeId;
  private final SecureRandom random = new SecureRandom();

  public KvAdminService(
      RaftServer raft,
      RaftGateway gateway,
      KvGrpcService.Router router,
      Supplier<ClusterMap> map,
      String nodeId) {
    this.raft = raft;
    this.gateway = gateway;
    this.router = router;
    this.map = map;
    this.nodeId = nodeId;
  }

  @Override
  public void savePartition(SavePartitionRequest req, StreamObserver<SavePartitionChunk> out) {
    ServerCallStreamObserver<SavePartitionChunk> obs =
        (ServerCallStreamObserver<SavePartitionChunk>) out;
    AtomicBoolean cancelled = new AtomicBoolean();
    Object ready = new Object();
    obs.setOnCancelHandler(
        () -> {
          cancelled.set(true);
          synchronized (ready) {
            ready.notifyAll();
          }
        });
    obs.setOnReadyHandler(
        () -> {
          synchronized (ready) {
            ready.notifyAll();
          }
        });
    int partition = req.getPartition();
    KvStateMachine sm;
    RaftGroupId group;
    try {
      group = router.groupOfPartition(partition);
      sm = stateMachine(group);
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    long cutId = random.nextLong();
    CompletableFuture<ConsistentCut> cutFuture = sm.awaitCut(cutId);
    byte[] entry =
        CommandCodec.encode(new Proposal(RequestId.NONE, new Command.SnapshotCut(cutId)));
    gateway
        .write(group, entry, 0)
        .whenComplete(
            (reply, error) -> {
              ConsistentCut cut = error == null ? cutFuture.getNow(null) : null;
              if (cut == null) {
                sm.forgetCut(cutId);
                cutFuture.thenAccept(ConsistentCut::close);
                out.onError(
                    error != null
                        ? status(error)
                        : Status.UNAVAILABLE
                            .withDescription("the cut was applied elsewhere; retry")
                            .asRuntimeException());
                return;
              }
              Thread t =
                  new Thread(
                      () -> stream(partition, cut, obs, cancelled, ready),
                      "kv-export-" + partition);
              t.setDaemon(true);
              t.start();
            });
  }

  private void stream(
      int partition,
      ConsistentCut cut,
      ServerCallStreamObserver<SavePartitionChunk> obs,
      AtomicBoolean cancelled,
      Object ready) {
    long started = System.nanoTime();
    try (cut) {
      obs.onNext(
          SavePartitionChunk.newBuilder()
              .setStart(
                  SnapshotStart.newBuilder()
                      .setPartition(partition)
                      .setTerm(cut.position().term())
                      .setIndex(cut.position().index())
                      .setNodeId(nodeId))
              .build());
      long[] counts = new long[2];
      ChunkStream chunks = new ChunkStream(obs, cancelled, ready);
      SnapshotFormat.write(
          cut.position(),
          (space, visitor) ->
              cut.scan(
                  space,
                  (k, v) -> {
                    counts[0]++;
                    if (space == Keyspace.DATA) {
                      counts[1]++;
                    }
                    return visitor.test(k, v);
                  }),
          chunks);
      chunks.flush();
      obs.onNext(
          SavePartitionChunk.newBuilder()
              .setEnd(
                  SnapshotEnd.newBuilder()
                      .setBytes(chunks.total)
                      .setDataKeys(counts[1])
                      .setEntries(counts[0]))
              .build());
      obs.onCompleted();
      LOG.info(
          "partition {}: snapshot at {} streamed ({} keys, {} bytes, {} ms)",
          partition,
          cut.position(),
          counts[1],
          chunks.total,
          (System.nanoTime() - started) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      if (!cancelled.get()) {
        LOG.warn("partition {}: snapshot stream failed: {}", partition, e.toString());
        obs.onError(
            Status.UNAVAILABLE
                .withDescription(
                    "snapshot of partition " + partition + " failed: " + e.getMessage())
                .asRuntimeException());
      }
    }
  }

  /** Sends what is written in messages of {@link #CHUNK_BYTES}, as fast as the client reads. */
  private static final class ChunkStream extends OutputStream {
    private final ServerCallStreamObserver<SavePartitionChunk> obs;
    private final AtomicBoolean cancelled;
    private final Object ready;
    private final byte[] buf = new byte[CHUNK_BYTES];
    private int used;
    long total;

    ChunkStream(
        ServerCallStreamObserver<SavePartitionChunk> obs, AtomicBoolean cancelled, Object ready) {
      this.obs = obs;
      this.cancelled = cancelled;
      this.ready = ready;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == buf.length) {
        flush();
      }
      buf[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (used == buf.length) {
          flush();
        }
        int n = Math.min(len, buf.length - used);
        System.arraycopy(b, off, buf, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      if (used == 0) {
        return;
      }
      long deadline = System.currentTimeMillis() + STALLED_CLIENT_MS;
      synchronized (ready) {
        while (!obs.isReady() && !cancelled.get()) {
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new IOException("the client stopped reading");
          }
          try {
            ready.wait(Math.min(left, 200));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
          }
        }
      }
      if (cancelled.get()) {
        throw new IOException("cancelled by the client");
      }
      obs.onNext(
          SavePartitionChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, used)).build());
      total += used;
      used = 0;
    }
  }

  @Override
  public void startCheck(StartCheckRequest req, StreamObserver<StartCheckResponse> out) {
    KvStateMachine sm;
    RaftGroupId group;
    try {
      group = router.groupOfPartition(req.getPartition());
      sm = stateMachine(group);
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    byte[] entry =
        CommandCodec.encode(
            new Proposal(RequestId.NONE, new Command.ComputeHash(req.getCheckId())));
    reply(
        out,
        gateway.write(group, entry, 0),
        r -> {
          ReplicaCheck c = sm.check(req.getCheckId());
          return StartCheckResponse.newBuilder()
              .setIndex(r.logIndex())
              .setTerm(c == null ? 0 : c.term())
              .build();
        });
  }

  @Override
  public void getCheck(GetCheckRequest req, StreamObserver<GetCheckResponse> out) {
    try {
      KvStateMachine sm = stateMachine(router.groupOfPartition(req.getPartition()));
      // Applied index first: a replica records a check before its applied index passes the
      // entry, so "applied past it and no record" really means it will never have one.
      long applied = sm.getLastAppliedTermIndex().getIndex();
      ReplicaCheck c = sm.check(req.getCheckId());
      GetCheckResponse.Builder b =
          GetCheckResponse.newBuilder().setNodeId(nodeId).setAppliedIndex(applied);
      if (c != null) {
        b.setState(GetCheckResponse.State.valueOf(c.state().name()))
            .setTerm(c.term())
            .setIndex(c.index())
            .setKeys(c.keys());
        if (c.hash() != null) {
          b.setHash(ByteString.copyFrom(c.hash()));
        }
        if (c.error() != null) {
          b.setError(c.error());
        }
      }
      out.onNext(b.build());
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  @Override
  public void getClusterMapFile(ClusterMapFileRequest req, StreamObserver<ClusterMapFile> out) {
    ClusterMap current = map.get();
    out.onNext(
        ClusterMapFile.newBuilder()
            .setData(ByteString.copyFrom(ClusterMapCodec.encode(current)))
            .setPartitionCount(current.partitionCount())
            .setKeyHash(KEY_HASH)
            .build());
    out.onCompleted();
  }

  private KvStateMachine stateMachine(RaftGroupId group) {
    try {
      return (KvStateMachine) raft.getDivision(group).getStateMachine();
    } catch (IOException e) {
      throw Status.UNAVAILABLE
          .withDescription("the partition's replica on " + nodeId + " is not running")
          .asRuntimeException();
    }
  }

  private static StatusRuntimeException status(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e instanceof StatusRuntimeException s
        ? s
        : Status.INTERNAL.withDescription(String.valueOf(e)).asRuntimeException();
  }

  private static <R, T> void reply(
      StreamObserver<T> out, CompletableFuture<R> f, Function<R, T> decode) {
    f.thenApply(decode)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                out.onNext(value);
                out.onCompleted();
              } else {
                out.onError(status(error));
              }
            });
  }
}

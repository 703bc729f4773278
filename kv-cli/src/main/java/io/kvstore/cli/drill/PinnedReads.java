package io.kvstore.cli.drill;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvstore.client.KeyValue;
import io.kvstore.client.KvClient;
import io.kvstore.client.ReadOptions;
import io.kvstore.client.proto.GetRequest;
import io.kvstore.client.proto.GetResponse;
import io.kvstore.client.proto.KvGrpc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Reads for the {@link RegisterWorkload} at a chosen consistency level, and, for every other client
 * thread (odd ids), sent straight to one node — the node {@code target} names at the time of the
 * read, e.g. the node the nemesis cut off last — instead of to the key's leader. A pinned read is
 * one gRPC Get to that node with no redirect and no retry: whatever that node answers is what the
 * history records. At ANY or BOUNDED an isolated node answers from its own, possibly stale, state;
 * at LINEARIZABLE it must refuse.
 */
public final class PinnedReads implements RegisterWorkload.Reader, AutoCloseable {
  private final ReadOptions options;
  private final boolean pin;
  private final List<String> endpoints;
  private final IntSupplier target;
  private final Duration timeout;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /**
   * @param pin whether odd client threads read from {@code target}'s node
   * @param endpoints client endpoints by node index
   */
  public PinnedReads(
      ReadOptions options,
      boolean pin,
      List<String> endpoints,
      IntSupplier target,
      Duration timeout) {
    this.options = options;
    this.pin = pin;
    this.endpoints = List.copyOf(endpoints);
    this.target = target;
    this.timeout = timeout;
  }

  @Override
  public Optional<KeyValue> read(KvClient client, int clientId, String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    if (!pin || clientId % 2 == 0) {
      return client.get(k, options);
    }
    String endpoint = endpoints.get(target.getAsInt());
    ManagedChannel ch =
        channels.computeIfAbsent(
            endpoint, e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
    GetResponse r =
        KvGrpc.newBlockingStub(ch)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .get(
                GetRequest.newBuilder()
                    .setKey(ByteString.copyFrom(k))
                    .setConsistency(options.consistency())
                    .setMaxStalenessMs(options.maxStalenessMs())
                    .setMaxLagEntries(options.maxLagEntries())
                    .build());
    return r.getFound()
        ? Optional.of(
            new KeyValue(k, r.getValue().toByteArray(), r.getVersion(), r.getCreateVersion()))
        : Optional.empty();
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
  }
}

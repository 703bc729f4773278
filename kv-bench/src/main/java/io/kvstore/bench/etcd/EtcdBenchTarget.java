package io.kvstore.bench.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.kvstore.cli.BenchTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd through jetcd: put = {@code KV.put}; get = {@code KV.get}, linearizable (etcd's default,
 * ReadIndex through the leader) or serializable (the member's local state, may be stale). One
 * client (one gRPC channel, jetcd's round-robin over the endpoints) for all requests in flight.
 */
public final class EtcdBenchTarget implements BenchTarget {
  private final Client client;
  private final KV kv;
  private final GetOption getOption;
  private final long timeoutMs;

  EtcdBenchTarget(Settings settings) {
    GetOption option =
        switch (settings.consistency()) {
          case "linearizable" -> GetOption.DEFAULT;
          case "serializable" -> GetOption.builder().withSerializable(true).build();
          default ->
              throw new IllegalArgumentException(
                  "--consistency for etcd must be linearizable or serializable, not "
                      + settings.consistency());
        };
    this.getOption = option;
    this.timeoutMs = settings.timeout().toMillis();
    this.client = Client.builder().endpoints(urls(settings.endpoints())).build();
    this.kv = client.getKVClient();
  }

  /** {@code host:port} becomes {@code http://host:port}; full URLs are kept. */
  static String[] urls(List<String> endpoints) {
    return endpoints.stream()
        .map(e -> e.contains("://") ? e : "http://" + e)
        .toArray(String[]::new);
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return kv.put(ByteSequence.from(key), ByteSequence.from(value))
        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<?> get(byte[] key) {
    return kv.get(ByteSequence.from(key), getOption).orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    client.close();
  }

  /** Registered as a service: {@code --target etcd}. */
  public static final class Factory implements BenchTarget.Factory {
    @Override
    public String name() {
      return "etcd";
    }

    @Override
    public BenchTarget open(Settings settings) {
      return new EtcdBenchTarget(settings);
    }
  }
}

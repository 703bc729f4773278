package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.ReadOptions;
import java.util.concurrent.CompletableFuture;

/** {@code --target store}: this store through {@link KvClient}, which routes to leaders. */
final class StoreBenchTarget implements BenchTarget {
  private final KvClient client;
  private final ReadOptions readOptions;

  StoreBenchTarget(KvClient client, ReadOptions readOptions) {
    this.client = client;
    this.readOptions = readOptions;
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return client.putAsync(key, value);
  }

  @Override
  public CompletableFuture<?> get(byte[] key) {
    return client.getAsync(key, readOptions);
  }

  @Override
  public void close() {
    client.close();
  }
}

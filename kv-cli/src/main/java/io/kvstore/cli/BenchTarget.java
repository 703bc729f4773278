package io.kvstore.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What {@code kv bench} drives: a store that takes puts and gets asynchronously. The store itself
 * ({@code --target store}) is built in; other targets (e.g. etcd, for comparisons on the same
 * machine with the same load generator) are found with {@link java.util.ServiceLoader} as {@link
 * Factory} implementations on the classpath.
 */
public interface BenchTarget extends AutoCloseable {
  /** Writes {@code value} under {@code key}; completes when the write is acknowledged. */
  CompletableFuture<?> put(byte[] key, byte[] value);

  /** Reads {@code key} at the read level the target was opened with. */
  CompletableFuture<?> get(byte[] key);

  @Override
  void close();

  /**
   * How to reach the target: the {@code --endpoints} list (host:port), the request {@code
   * --timeout}, and the {@code --consistency} read level as given (each target parses its own
   * levels and throws IllegalArgumentException for one it does not know).
   */
  record Settings(List<String> endpoints, Duration timeout, String consistency) {}

  /**
   * Opens a target by name; registered in {@code
   * META-INF/services/io.kvstore.cli.BenchTarget$Factory}.
   */
  interface Factory {
    /** The {@code --target} name. */
    String name();

    BenchTarget open(Settings settings);
  }
}

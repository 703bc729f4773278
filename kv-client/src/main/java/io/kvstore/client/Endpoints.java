package io.kvstore.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The nodes a client knows, one lazily opened channel each, and which one it currently believes
 * leads. Thread-safe.
 */
final class Endpoints implements Route, AutoCloseable {
  private final List<String> known;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final int maxMessageBytes;
  private volatile String preferred;
  private int next;

  Endpoints(List<String> endpoints, int maxMessageBytes) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints given");
    }
    for (String e : endpoints) {
      parse(e);
    }
    this.known = new ArrayList<>(endpoints);
    this.preferred = endpoints.get(0);
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Checks {@code host:port}; throws {@link IllegalArgumentException} with a clear message. */
  static void parse(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0 || colon == endpoint.length() - 1) {
      throw new IllegalArgumentException("endpoint '" + endpoint + "' is not host:port");
    }
    try {
      int port = Integer.parseInt(endpoint.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("endpoint '" + endpoint + "' has an invalid port");
    }
  }

  @Override
  public String pick() {
    return preferred;
  }

  /** Remembers a leader hint; unknown endpoints become known. */
  @Override
  public synchronized void leaderIs(String endpoint) {
    parse(endpoint);
    if (!known.contains(endpoint)) {
      known.add(endpoint);
    }
    preferred = endpoint;
  }

  /** Moves on from a node that failed: the next known endpoint after it becomes preferred. */
  @Override
  public synchronized void failed(String endpoint) {
    if (!endpoint.equals(preferred)) {
      return;
    }
    next = (known.indexOf(endpoint) + 1) % known.size();
    preferred = known.get(next);
  }

  synchronized List<String> all() {
    return List.copyOf(known);
  }

  ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(
        endpoint,
        e ->
            NettyChannelBuilder.forTarget(e)
                .usePlaintext()
                .maxInboundMessageSize(maxMessageBytes)
                .build());
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

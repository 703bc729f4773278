package io.kvstore.raft.server;

import java.io.IOException;

/** A running node. Filled in by the composition root. */
public final class KvNode implements AutoCloseable {
  private KvNode() {}

  public static KvNode start(NodeConfig config) throws IOException {
    throw new UnsupportedOperationException("in progress");
  }

  public void awaitTermination() throws InterruptedException {}

  @Override
  public void close() {}
}

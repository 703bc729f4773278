package io.kvstore.raft.testing;

import io.kvstore.client.KvClient;
import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/**
 * A cluster of real nodes (real Ratis over gRPC, real MapDB files, fsync on) inside the test JVM,
 * each on its own loopback address. Fast to start; for crash tests use {@link ProcessCluster}.
 */
public final class InJvmCluster implements AutoCloseable {
  private final ClusterSpec spec;
  private final KvNode[] nodes;

  public InJvmCluster(Path root, int size) {
    this(root, size, new Properties());
  }

  public InJvmCluster(Path root, int size, Properties extra) {
    this.spec = new ClusterSpec(root, size, extra);
    this.nodes = new KvNode[size];
  }

  public ClusterSpec spec() {
    return spec;
  }

  public InJvmCluster startAll() {
    for (int i = 0; i < nodes.length; i++) {
      start(i);
    }
    return this;
  }

  public KvNode start(int i) {
    if (nodes[i] != null) {
      throw new IllegalStateException(spec.id(i) + " is running");
    }
    try {
      nodes[i] = KvNode.start(NodeConfig.fromProperties(spec.properties(i)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return nodes[i];
  }

  /** Stops a node cleanly (as a SIGTERM would). */
  public void stop(int i) {
    KvNode n = nodes[i];
    nodes[i] = null;
    if (n != null) {
      n.close();
    }
  }

  public KvNode node(int i) {
    return nodes[i];
  }

  public int size() {
    return nodes.length;
  }

  /** The index of the running node that leads {@code group} and is ready, or -1. */
  public int leaderOf(RaftGroupId group) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] == null) {
        continue;
      }
      try {
        RaftServer.Division d = nodes[i].raftServer().getDivision(group);
        if (d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
          return i;
        }
      } catch (IOException ignored) {
        // not hosted (yet)
      }
    }
    return -1;
  }

  public int awaitLeader(RaftGroupId group, Duration timeout) {
    int[] found = {-1};
    Poll.until("a ready leader of " + group, timeout, () -> (found[0] = leaderOf(group)) >= 0);
    return found[0];
  }

  /** A client that knows every node's endpoint. */
  public KvClient client() {
    return spec.client();
  }

  /** A client that only knows one node. */
  public KvClient clientOf(int i) {
    return spec.clientOf(i);
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.length; i++) {
      stop(i);
    }
  }
}

package io.kvstore.cli;

import io.kvstore.raft.server.KvNode;
import io.kvstore.raft.server.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.IntFunction;

/**
 * Real nodes in the test JVM for CLI tests: node i on its own loopback address {@code
 * <subnet><base+i>} with free ports, data under {@code root}, short election timeouts.
 */
final class InJvmTestCluster implements AutoCloseable {
  final List<String> clients = new ArrayList<>();
  final List<String> rafts = new ArrayList<>();
  final String endpoints;
  private final List<KvNode> nodes = new ArrayList<>();

  /**
   * @param subnet e.g. {@code "127.0.200."}: each test class uses its own, away from the local
   *     cluster (127.0.0.1-3) and kv-raft's test clusters
   * @param memberSuffix what follows a member's client port in cluster.members (e.g. {@code ":a:1"}
   *     for zone and weight), by node index; empty for defaults
   */
  InJvmTestCluster(
      Path root, String subnet, int size, int partitions, IntFunction<String> memberSuffix)
      throws IOException {
    this(root, subnet, size, partitions, memberSuffix, (i, p) -> {});
  }

  /** Prepares a node before any node starts (for example: restores its data directory). */
  interface BeforeStart {
    void prepare(int index, Properties config) throws IOException;
  }

  InJvmTestCluster(
      Path root,
      String subnet,
      int size,
      int partitions,
      IntFunction<String> memberSuffix,
      BeforeStart beforeStart)
      throws IOException {
    int base = (int) (ProcessHandle.current().pid() % 200) + 20;
    List<String> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String host = subnet + (base + i);
      int raft = freePort(host);
      int client = freePort(host);
      members.add("n" + (i + 1) + ":" + host + ":" + raft + ":" + client + memberSuffix.apply(i));
      clients.add(host + ":" + client);
      rafts.add(host + ":" + raft);
    }
    endpoints = String.join(",", clients);
    List<Properties> configs = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        Properties p = new Properties();
        p.setProperty("node.id", "n" + (i + 1));
        p.setProperty("node.data-dir", root.resolve("n" + (i + 1)).toString());
        p.setProperty("cluster.members", String.join(",", members));
        p.setProperty("cluster.partitions", Integer.toString(partitions));
        p.setProperty("cluster.replication-factor", "3");
        p.setProperty("raft.election-timeout-min-ms", "500");
        p.setProperty("raft.election-timeout-max-ms", "1000");
        beforeStart.prepare(i, p);
        configs.add(p);
      }
      for (Properties p : configs) {
        nodes.add(KvNode.start(NodeConfig.fromProperties(p)));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }

  KvNode node(int i) {
    return nodes.get(i);
  }

  @Override
  public void close() {
    nodes.forEach(KvNode::close);
  }
}

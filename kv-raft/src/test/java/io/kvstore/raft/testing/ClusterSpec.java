package io.kvstore.raft.testing;

import io.kvstore.client.KvClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The layout of a test cluster: node ids n1..nN, each on its own loopback address with free ports,
 * each with a data directory under {@code root}. Produces the properties a node is started with.
 */
public final class ClusterSpec {
  private final Path root;
  private final List<String> hosts = new ArrayList<>();
  private final List<int[]> ports = new ArrayList<>();
  private final Properties extra;
  private List<String> zones;
  private int initial = -1;

  public ClusterSpec(Path root, int nodes, Properties extra) {
    this.root = root;
    this.extra = extra;
    for (int i = 0; i < nodes; i++) {
      String host = Ports.nextHost();
      hosts.add(host);
      ports.add(new int[] {Ports.freePort(host), Ports.freePort(host)});
    }
  }

  public int size() {
    return hosts.size();
  }

  public String id(int i) {
    return "n" + (i + 1);
  }

  public String clientEndpoint(int i) {
    return hosts.get(i) + ":" + ports.get(i)[1];
  }

  public List<String> clientEndpoints() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      out.add(clientEndpoint(i));
    }
    return out;
  }

  /** A client that knows every node's endpoint, with a 20 s deadline per call. */
  public KvClient client() {
    return KvClient.builder().endpoints(clientEndpoints()).timeout(Duration.ofSeconds(20)).build();
  }

  /** A client that only knows node {@code i}. */
  public KvClient clientOf(int i) {
    return KvClient.builder()
        .endpoints(List.of(clientEndpoint(i)))
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  public Path dataDir(int i) {
    return root.resolve(id(i));
  }

  /**
   * Only the first {@code n} nodes bootstrap the cluster; each later node joins it on its first
   * start ({@code cluster.join=true}, its members list being the first {@code n} and itself).
   */
  public ClusterSpec initialNodes(int n) {
    this.initial = n;
    return this;
  }

  /** Whether node {@code i} joins a running cluster rather than bootstrapping it. */
  public boolean joins(int i) {
    return initial >= 0 && i >= initial;
  }

  public String members() {
    return members(size());
  }

  private String members(int count) {
    return members(count, -1);
  }

  /** The first {@code count} nodes, and node {@code also} if it is not among them. */
  private String members(int count, int also) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < size(); i++) {
      if (i >= count && i != also) {
        continue;
      }
      if (i > 0) {
        sb.append(',');
      }
      sb.append(id(i))
          .append(':')
          .append(hosts.get(i))
          .append(':')
          .append(ports.get(i)[0])
          .append(':')
          .append(ports.get(i)[1]);
      if (zones != null) {
        sb.append(':').append(zones.get(i % zones.size()));
      }
    }
    return sb.toString();
  }

  /** Assigns zones to nodes round-robin (n1 the first zone, n2 the second, ...). */
  public ClusterSpec zones(List<String> zones) {
    this.zones = List.copyOf(zones);
    return this;
  }

  public Properties properties(int i) {
    Properties p = new Properties();
    p.setProperty("node.id", id(i));
    p.setProperty("node.data-dir", dataDir(i).toString());
    if (initial < 0) {
      p.setProperty("cluster.members", members());
    } else if (joins(i)) {
      p.setProperty("cluster.members", members(initial, i));
      p.setProperty("cluster.join", "true");
    } else {
      p.setProperty("cluster.members", members(initial));
    }
    p.setProperty("raft.election-timeout-min-ms", "500");
    p.setProperty("raft.election-timeout-max-ms", "1000");
    p.putAll(extra);
    return p;
  }
}

package io.kvstore.raft.server;

/** One node of the initial cluster: its id, Raft address and client API address. */
public record Member(String id, String host, int raftPort, int clientPort) {

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String clientAddress() {
    return host + ":" + clientPort;
  }

  /** Parses {@code id:host:raftPort:clientPort}. */
  static Member parse(String spec) {
    String[] parts = spec.trim().split(":");
    if (parts.length != 4) {
      throw new ConfigException(
          "cluster.members entry '" + spec.trim() + "' is not id:host:raftPort:clientPort");
    }
    String id = parts[0];
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new ConfigException(
          "cluster.members: node id '" + id + "' must be 1-64 letters, digits, '-' or '_'");
    }
    return new Member(id, parts[1], port(parts[2], spec), port(parts[3], spec));
  }

  private static int port(String s, String spec) {
    try {
      int p = Integer.parseInt(s);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(
        "cluster.members entry '" + spec.trim() + "': invalid port '" + s + "'");
  }
}

package io.kvstore.raft.server;

import io.kvstore.core.cluster.NodeEntry;

/**
 * One node of the initial cluster: its id, Raft address, client API address, zone (rack or data
 * center; nodes without one share the zone {@value #DEFAULT_ZONE}) and weight (relative capacity,
 * default 1).
 */
public record Member(
    String id, String host, int raftPort, int clientPort, String zone, int weight) {
  public static final String DEFAULT_ZONE = "default";

  public Member(String id, String host, int raftPort, int clientPort) {
    this(id, host, raftPort, clientPort, DEFAULT_ZONE, 1);
  }

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String clientAddress() {
    return host + ":" + clientPort;
  }

  NodeEntry toNodeEntry() {
    return new NodeEntry(id, raftAddress(), clientAddress(), zone, weight, NodeEntry.State.ACTIVE);
  }

  /** Parses {@code id:host:raftPort:clientPort[:zone[:weight]]}. */
  static Member parse(String spec) {
    String s = spec.trim();
    String[] parts = s.split(":");
    if (parts.length < 4 || parts.length > 6) {
      throw new ConfigException(
          "cluster.members entry '" + s + "' is not id:host:raftPort:clientPort[:zone[:weight]]");
    }
    String id = parts[0];
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new ConfigException(
          "cluster.members: node id '" + id + "' must be 1-64 letters, digits, '-' or '_'");
    }
    String zone = parts.length > 4 ? parts[4] : DEFAULT_ZONE;
    if (!zone.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException(
          "cluster.members entry '"
              + s
              + "': zone '"
              + zone
              + "' must be 1-64 letters, digits, '.', '-' or '_'");
    }
    int weight = 1;
    if (parts.length > 5) {
      try {
        weight = Integer.parseInt(parts[5]);
      } catch (NumberFormatException e) {
        weight = -1;
      }
      if (weight < 1 || weight > 100) {
        throw new ConfigException(
            "cluster.members entry '" + s + "': weight '" + parts[5] + "' must be 1..100");
      }
    }
    return new Member(id, parts[1], port(parts[2], s), port(parts[3], s), zone, weight);
  }

  private static int port(String p, String spec) {
    try {
      int v = Integer.parseInt(p);
      if (v >= 1 && v <= 65535) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException("cluster.members entry '" + spec + "': invalid port '" + p + "'");
  }
}

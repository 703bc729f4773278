package io.kvstore.core.cluster;

import java.util.Objects;

/**
 * A node of the cluster map: its id, the endpoints other nodes and clients use, its zone (rack or
 * data center) and its weight (relative capacity).
 */
public record NodeEntry(
    String id, String raftEndpoint, String clientEndpoint, String zone, int weight, State state) {

  /** Lifecycle of a node in the map. */
  public enum State {
    ACTIVE
  }

  public NodeEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(raftEndpoint, "raftEndpoint");
    Objects.requireNonNull(clientEndpoint, "clientEndpoint");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(state, "state");
    if (weight < 1) {
      throw new IllegalArgumentException("node " + id + ": weight must be at least 1");
    }
  }
}

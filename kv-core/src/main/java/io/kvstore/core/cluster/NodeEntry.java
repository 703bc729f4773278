package io.kvstore.core.cluster;

import java.util.Objects;

/**
 * A node of the cluster map: its id, the endpoints other nodes and clients use, its zone (rack or
 * data center) and its weight (relative capacity).
 */
public record NodeEntry(
    String id, String raftEndpoint, String clientEndpoint, String zone, int weight, State state) {

  /**
   * Lifecycle of a node in the map. Each state has a fixed one-byte {@link #code()} in the map's
   * binary form; codes are never reused or renumbered, so maps written before a state existed keep
   * decoding, and a reader that does not know a code refuses the map.
   */
  public enum State {
    /** Holds replicas and receives new ones; counted by placement and the meta voter rule. */
    ACTIVE(0),
    /**
     * Being drained: still serves the replicas it holds, but placement gives it none, so the move
     * planner moves them off; once it holds none it can be removed from the map.
     */
    DECOMMISSIONING(1);

    private final int code;

    State(int code) {
      this.code = code;
    }

    /** The byte that stands for this state in {@link ClusterMapCodec}. */
    public int code() {
      return code;
    }

    /**
     * The state with {@code code}.
     *
     * @throws IllegalArgumentException for a code no state has
     */
    public static State fromCode(int code) {
      for (State s : values()) {
        if (s.code == code) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown node state " + code);
    }
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

  /** Whether placement may give this node replicas (it is {@link State#ACTIVE}). */
  public boolean isActive() {
    return state == State.ACTIVE;
  }

  /** This node with another weight. */
  public NodeEntry withWeight(int newWeight) {
    return new NodeEntry(id, raftEndpoint, clientEndpoint, zone, newWeight, state);
  }

  /** This node in another state. */
  public NodeEntry withState(State newState) {
    return new NodeEntry(id, raftEndpoint, clientEndpoint, zone, weight, newState);
  }
}

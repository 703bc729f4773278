package io.kvstore.core.ring;

import java.util.Objects;

/**
 * What placement needs to know about a node: its stable id (which also seeds its ring tokens, so
 * renaming a node moves its replicas), its zone (rack or data center; replicas of a partition are
 * spread over zones first) and its weight (relative capacity; a node places {@code weight} times as
 * many tokens as a weight-1 node).
 */
public record NodeSpec(String id, String zone, int weight) {

  public NodeSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(zone, "zone");
    if (id.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (zone.isBlank()) {
      throw new IllegalArgumentException("zone of node " + id + " must not be blank");
    }
    if (weight < 1) {
      throw new IllegalArgumentException(
          "weight of node " + id + " must be at least 1; got " + weight);
    }
  }

  /** A weight-1 node. */
  public static NodeSpec of(String id, String zone) {
    return new NodeSpec(id, zone, 1);
  }
}

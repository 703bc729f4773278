package io.kvstore.core.cluster;

/**
 * Bounds on concurrent moves for {@link MovePlan#nextBatch}. A node receiving a replica installs a
 * snapshot of the whole partition and a node losing one is usually also a source of that data, so
 * both sides are bounded per node, besides the total.
 *
 * @param maxMoves moves in flight over the whole cluster
 * @param maxIncomingPerNode moves in flight that add a replica to one node
 * @param maxOutgoingPerNode moves in flight that remove a replica from one node
 */
public record MoveLimits(int maxMoves, int maxIncomingPerNode, int maxOutgoingPerNode) {
  public MoveLimits {
    if (maxMoves < 1 || maxIncomingPerNode < 1 || maxOutgoingPerNode < 1) {
      throw new IllegalArgumentException(
          "move limits must be at least 1; got "
              + maxMoves
              + " total, "
              + maxIncomingPerNode
              + " incoming, "
              + maxOutgoingPerNode
              + " outgoing per node");
    }
  }

  /** The same bound on every side: {@code total} in all, {@code perNode} in and out per node. */
  public static MoveLimits of(int total, int perNode) {
    return new MoveLimits(total, perNode, perNode);
  }
}

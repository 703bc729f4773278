package io.kvstore.client;

/**
 * Where one request goes next, and what its failures teach: a node list or a partition's replicas.
 */
interface Route {
  /** The endpoint to try now. */
  String pick();

  /** A node named {@code endpoint} as the leader. */
  void leaderIs(String endpoint);

  /** {@code endpoint} could not serve; move on. */
  void failed(String endpoint);
}

/**
 * The node process: typed configuration, the composition root that wires Ratis, the partition state
 * machines and the client API server, and the node's lifecycle.
 */
package io.kvstore.raft.server;

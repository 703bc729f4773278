package io.kvstore.raft.server;

/**
 * The node cannot start for a reason the operator can fix (port in use, data directory not
 * writable, disk full). The message is one line naming the problem.
 */
public class NodeStartException extends RuntimeException {
  public NodeStartException(String message) {
    super(message);
  }

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}

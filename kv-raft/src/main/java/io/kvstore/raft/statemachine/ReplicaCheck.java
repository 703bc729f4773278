package io.kvstore.raft.statemachine;

/**
 * One replica's part of a consistency check: the hash of its user keyspace as of the check's log
 * entry, or how far it got.
 */
public record ReplicaCheck(
    long checkId, State state, long term, long index, byte[] hash, long keys, String error) {

  /** Where a check stands on this replica. */
  public enum State {
    RUNNING,
    DONE,
    FAILED
  }

  static ReplicaCheck running(long checkId, long term, long index) {
    return new ReplicaCheck(checkId, State.RUNNING, term, index, null, 0, null);
  }
}

package io.kvstore.raft.statemachine;

/**
 * What a partition's state machine tells the node about its disk, and asks it: an I/O error in the
 * Raft log, the store or a snapshot is reported (the node then stops taking writes and hands
 * leadership away until the disk is healthy again); snapshots are skipped while the disk is not
 * writable.
 */
public interface StorageEvents {
  /** No node-level disk handling (tests, tools). */
  StorageEvents NONE =
      new StorageEvents() {
        @Override
        public void ioError(int partition, String where, Throwable cause) {}

        @Override
        public boolean writable() {
          return true;
        }
      };

  /**
   * An I/O operation on this node's data disk failed; {@code where} names it in one word or two.
   */
  void ioError(int partition, String where, Throwable cause);

  /** Whether the data disk has room and accepts writes. */
  boolean writable();
}

package io.kvstore.client;

/**
 * The outcome of a delete: whether the key existed and the log index of the delete (0 if nothing
 * changed). {@code applied} is false when its condition did not hold ({@code currentVersion} then
 * says why); {@code onAllReplicas} as in {@link PutResult}.
 */
public record DeleteResult(
    boolean deleted, long version, boolean applied, long currentVersion, boolean onAllReplicas) {
  public DeleteResult(boolean deleted, long version) {
    this(deleted, version, true, 0, true);
  }
}

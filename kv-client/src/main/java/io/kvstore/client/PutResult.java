package io.kvstore.client;

/**
 * The outcome of a put. {@code applied} is false when its condition did not hold (nothing changed;
 * {@code currentVersion} is the key's version then, 0 when absent). {@code onAllReplicas} is false
 * only for a write acknowledged at ALL that was committed but not yet applied everywhere in time.
 */
public record PutResult(
    boolean applied, long version, long currentVersion, boolean onAllReplicas) {}

package io.kvstore.core.storage;

/**
 * The separate ordered keyspaces a partition store keeps. User data never shares a keyspace with
 * bookkeeping, so a scan of {@link #DATA} sees user keys only.
 */
public enum Keyspace {
  /** User keys to encoded {@code VersionedValue}s. */
  DATA(1),
  /** Client session id + sequence to the encoded result of that write (de-duplication). */
  SESSION_RESULTS(2),
  /** Client session id to the session's state (last log index seen, lowest unacknowledged seq). */
  SESSIONS(3),
  /** Log index + client session id, empty values: sessions ordered by last use, for eviction. */
  SESSION_AGE(4),
  /** Small named counters kept by the executor (for example the number of sessions). */
  META(5);

  private final int id;

  Keyspace(int id) {
    this.id = id;
  }

  /** A stable number for this keyspace, used in snapshot files. Never reuse or renumber. */
  public int id() {
    return id;
  }

  public static Keyspace byId(int id) {
    for (Keyspace k : values()) {
      if (k.id == id) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown keyspace id " + id);
  }
}

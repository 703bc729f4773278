package io.kvstore.core.storage;

/** A position in a Raft log: term and index. {@link #ZERO} means nothing applied yet. */
public record LogPosition(long term, long index) {
  public static final LogPosition ZERO = new LogPosition(0, 0);
}

package io.kvstore.core.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open {@link ConsistentCut}s of one partition store. The apply thread opens cuts between
 * batches and makes its batches through {@link #track}, which saves pre-images before a batch
 * lands; with no cut open a batch passes through untouched.
 */
public final class CutRegistry {
  private final CopyOnWriteArrayList<ConsistentCut> open = new CopyOnWriteArrayList<>();

  /**
   * Opens a cut of {@code store} as it stands now. Call on the apply thread between batches, with
   * {@code position} the store's state position.
   */
  public ConsistentCut open(
      ReadView store, LogPosition position, Set<Keyspace> spaces, long maxCapturedBytes) {
    ConsistentCut[] self = new ConsistentCut[1];
    self[0] =
        new ConsistentCut(store, position, spaces, maxCapturedBytes, () -> open.remove(self[0]));
    open.add(self[0]);
    return self[0];
  }

  /** Number of cuts open now. */
  public int size() {
    return open.size();
  }

  /** Fails every open cut (for example because the store is about to be replaced). */
  public void abortAll(String reason) {
    for (ConsistentCut c : List.copyOf(open)) {
      c.abort(reason);
    }
  }

  /** {@code batch}, made so that its commit first saves pre-images for the open cuts. */
  public WriteBatch track(WriteBatch batch) {
    if (open.isEmpty()) {
      return batch;
    }
    return new Tracking(batch);
  }

  private final class Tracking implements WriteBatch {
    private final WriteBatch delegate;
    private final List<Keyspace> spaces = new ArrayList<>();
    private final List<byte[]> keys = new ArrayList<>();

    Tracking(WriteBatch delegate) {
      this.delegate = delegate;
    }

    @Override
    public void put(Keyspace space, byte[] key, byte[] value) {
      spaces.add(space);
      keys.add(key);
      delegate.put(space, key, value);
    }

    @Override
    public void delete(Keyspace space, byte[] key) {
      spaces.add(space);
      keys.add(key);
      delegate.delete(space, key);
    }

    @Override
    public byte[] get(Keyspace space, byte[] key) {
      return delegate.get(space, key);
    }

    @Override
    public void scan(
        Keyspace space,
        byte[] fromInclusive,
        byte[] toExclusive,
        java.util.function.BiPredicate<byte[], byte[]> visitor) {
      delegate.scan(space, fromInclusive, toExclusive, visitor);
    }

    @Override
    public void commit(LogPosition position) {
      for (ConsistentCut cut : open) {
        for (int i = 0; i < keys.size(); i++) {
          cut.beforeWrite(spaces.get(i), keys.get(i));
        }
      }
      delegate.commit(position);
    }
  }
}

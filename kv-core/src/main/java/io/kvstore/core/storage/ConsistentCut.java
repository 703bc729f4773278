package io.kvstore.core.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;

/**
 * A partition store's state as of one log position, read by another thread while the store keeps
 * applying writes. The engine has no snapshots of its own, so the cut keeps copy-on-write
 * pre-images: before the apply thread changes a key the reader has not passed yet, {@link
 * #beforeWrite} saves the key's value as of the cut (or "absent"), once. The reader walks the store
 * in chunks (one short read lock each) and takes the saved pre-image where there is one.
 *
 * <p>Why this is exact: a chunk is read atomically; pre-images for the chunk's range are read after
 * it. A key written after the cut and before the chunk read already has its pre-image; a key
 * written later was read with its old value, and its pre-image (if one appears) is that same value.
 * Keys the reader has passed need no pre-image, so memory is bounded by the distinct keys written
 * ahead of the reader while it runs, and capped by {@code maxCapturedBytes} (the cut fails rather
 * than use more).
 *
 * <p>Threads: {@link #beforeWrite} only from the apply thread; {@link #scan} from one reader
 * thread; {@link #abort} and {@link #close} from any.
 */
public final class ConsistentCut implements AutoCloseable {
  /** Reader chunk: entries read under one read lock. */
  static final int CHUNK = 1024;

  /** Pre-image of a key that did not exist at the cut (compared by identity). */
  private static final byte[] ABSENT = new byte[0];

  private final ReadView store;
  private final LogPosition position;
  private final long maxCapturedBytes;
  private final Map<Keyspace, Progress> progress = new EnumMap<>(Keyspace.class);
  private final AtomicLong capturedBytes = new AtomicLong();
  private final Runnable onClose;
  private volatile String failure;

  /** How far the reader got in one keyspace. */
  private static final class Progress {
    final ConcurrentSkipListMap<byte[], byte[]> preImages =
        new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    volatile boolean started;
    volatile boolean done;

    /** The last key the reader has passed (null: none yet). */
    volatile byte[] passed;
  }

  ConsistentCut(
      ReadView store,
      LogPosition position,
      Set<Keyspace> spaces,
      long maxCapturedBytes,
      Runnable onClose) {
    this.store = store;
    this.position = position;
    this.maxCapturedBytes = maxCapturedBytes;
    this.onClose = onClose;
    for (Keyspace k : spaces) {
      progress.put(k, new Progress());
    }
  }

  /** The log position this cut shows the state at. */
  public LogPosition position() {
    return position;
  }

  /** Bytes of pre-images held now (keys, values and a fixed overhead per entry). */
  public long capturedBytes() {
    return capturedBytes.get();
  }

  /** Apply thread, before a change of {@code key} lands in the store. */
  void beforeWrite(Keyspace space, byte[] key) {
    Progress p = progress.get(space);
    if (p == null || p.done || failure != null) {
      return;
    }
    byte[] passed = p.passed;
    if (passed != null && Arrays.compareUnsigned(key, passed) <= 0) {
      return;
    }
    if (p.preImages.containsKey(key)) {
      return;
    }
    byte[] current = store.get(space, key);
    p.preImages.putIfAbsent(key, current == null ? ABSENT : current);
    long used = capturedBytes.addAndGet(key.length + (current == null ? 0 : current.length) + 64L);
    if (used > maxCapturedBytes) {
      abort(
          "more than "
              + maxCapturedBytes
              + " bytes of keys were overwritten while the cut was read; retry when the "
              + "partition is less busy");
    }
  }

  /** Fails the cut: the reader stops with an IOException naming {@code reason}. */
  public void abort(String reason) {
    if (failure == null) {
      failure = reason;
    }
    release();
  }

  /**
   * Visits every entry of {@code space} as of the cut, in key order, until the visitor returns
   * false. Each keyspace can be read once.
   */
  public void scan(Keyspace space, BiPredicate<byte[], byte[]> visitor) throws IOException {
    Progress p = progress.get(space);
    if (p == null) {
      throw new IllegalArgumentException("keyspace " + space + " is not part of this cut");
    }
    if (p.started) {
      throw new IllegalStateException("keyspace " + space + " was already read from this cut");
    }
    p.started = true;
    try {
      byte[] after = null;
      while (true) {
        checkAlive();
        List<byte[][]> chunk = new ArrayList<>(CHUNK);
        store.scan(
            space,
            after == null ? null : successor(after),
            null,
            (k, v) -> {
              chunk.add(new byte[][] {k, v});
              return chunk.size() < CHUNK;
            });
        boolean last = chunk.size() < CHUNK;
        byte[] end = last ? null : chunk.get(chunk.size() - 1)[0];
        NavigableMap<byte[], byte[]> range =
            after == null ? p.preImages : p.preImages.tailMap(after, false);
        if (end != null) {
          range = range.headMap(end, true);
        }
        List<byte[][]> saved = new ArrayList<>();
        range.forEach((k, v) -> saved.add(new byte[][] {k, v}));
        // A failure between the chunk read and here (the store replaced under us) voids it.
        checkAlive();
        if (!merge(chunk, saved, visitor)) {
          return;
        }
        if (last) {
          return;
        }
        p.passed = end;
        p.preImages.headMap(end, true).clear();
        after = end;
      }
    } finally {
      p.done = true;
      p.preImages.clear();
    }
  }

  /** Visits live entries, each replaced by its pre-image when it has one; false if stopped. */
  private static boolean merge(
      List<byte[][]> live, List<byte[][]> saved, BiPredicate<byte[], byte[]> visitor) {
    Iterator<byte[][]> a = live.iterator();
    Iterator<byte[][]> b = saved.iterator();
    byte[][] x = a.hasNext() ? a.next() : null;
    byte[][] y = b.hasNext() ? b.next() : null;
    while (x != null || y != null) {
      byte[][] take;
      if (y == null) {
        take = x;
        x = a.hasNext() ? a.next() : null;
      } else if (x == null) {
        take = y;
        y = b.hasNext() ? b.next() : null;
      } else {
        int c = Arrays.compareUnsigned(x[0], y[0]);
        if (c < 0) {
          take = x;
          x = a.hasNext() ? a.next() : null;
        } else {
          take = y; // the pre-image wins over the live value
          y = b.hasNext() ? b.next() : null;
          if (c == 0) {
            x = a.hasNext() ? a.next() : null;
          }
        }
      }
      if (take[1] != ABSENT && !visitor.test(take[0], take[1])) {
        return false;
      }
    }
    return true;
  }

  private void checkAlive() throws IOException {
    String f = failure;
    if (f != null) {
      throw new IOException("consistent cut at index " + position.index() + " failed: " + f);
    }
  }

  static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  private void release() {
    for (Progress p : progress.values()) {
      p.done = true;
      p.preImages.clear();
    }
    capturedBytes.set(0);
    onClose.run();
  }

  /** Stops capturing and frees the pre-images. */
  @Override
  public void close() {
    release();
  }
}

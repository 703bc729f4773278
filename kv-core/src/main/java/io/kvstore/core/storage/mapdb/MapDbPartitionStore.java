package io.kvstore.core.storage.mapdb;

import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.PendingWrites;
import io.kvstore.core.storage.SnapshotFormat;
import io.kvstore.core.storage.SortedMapReads;
import io.kvstore.core.storage.StorageException;
import io.kvstore.core.storage.WriteBatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition store in one MapDB file.
 *
 * <p>Durability: MapDB transactions, committed every {@code commitEveryBatches} batches or {@code
 * commitEveryBytes} bytes of keys and values, whichever comes first, and on {@link #flush()} /
 * {@link #close()}. The applied position lives in the same file, so a commit persists data and
 * position together; after a crash the file reopens at its last commit and the Raft log replays the
 * rest. A file that does not reopen is set aside by {@link StoreDirectory} and the store starts
 * empty at position zero, to be rebuilt from the latest snapshot plus the log.
 *
 * <p>Threading: one writer (the apply thread), any number of readers; a read-write lock makes each
 * batch atomic for readers.
 */
public final class MapDbPartitionStore implements PartitionStore {
  private static final Logger LOG = LoggerFactory.getLogger(MapDbPartitionStore.class);
  static final String FILE_NAME = "kv.db";

  /**
   * Tuning knobs. {@code commitEveryBatches} trades restart replay length for apply speed; {@code
   * commitEveryBytes} bounds the same by size (a restart replays the Raft log since the last
   * commit, and Ratis holds what it replays in memory, so bulk entries of large values need a bound
   * in bytes as well as in entries).
   *
   * <p>{@code valuesOutsideNodes}: keep each value as its own record, with only a pointer in the
   * B-tree leaf. Inline values (the MapDB default) make every put rewrite a whole leaf of up to 32
   * values; with 4 KiB values that is ~128 KiB per put (measured: ~20x the user bytes written to
   * the MapDB write-ahead file, ~10x fewer puts/s than separate records). Small values are faster
   * inline. Fixed when a store file is created: an existing file keeps the layout it was made with.
   *
   * <p>{@code mmap}: map the file into memory (fast; touched pages count in the process RSS as
   * file-backed, reclaimable pages) or read and write it through a file channel (pages stay in the
   * OS page cache, outside the process RSS).
   */
  public record Options(
      int commitEveryBatches,
      long allocateIncrementBytes,
      boolean valuesOutsideNodes,
      boolean mmap,
      long commitEveryBytes) {
    public static final long DEFAULT_COMMIT_EVERY_BYTES = 16L << 20;
    public static final Options DEFAULT = new Options(1000, 16L << 20);

    public Options(int commitEveryBatches, long allocateIncrementBytes) {
      this(commitEveryBatches, allocateIncrementBytes, false, true);
    }

    public Options(
        int commitEveryBatches,
        long allocateIncrementBytes,
        boolean valuesOutsideNodes,
        boolean mmap) {
      this(
          commitEveryBatches,
          allocateIncrementBytes,
          valuesOutsideNodes,
          mmap,
          DEFAULT_COMMIT_EVERY_BYTES);
    }
  }

  private final StoreDirectory directory;
  private final Options options;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private Handle handle;
  private LogPosition applied;
  private LogPosition durable;
  private int batchesSinceCommit;
  private long bytesSinceCommit;
  private boolean closed;

  /** The open MapDB file and its maps. */
  private record Handle(
      DB db, Map<Keyspace, BTreeMap<byte[], byte[]>> maps, Atomic.Long term, Atomic.Long index) {}

  private MapDbPartitionStore(StoreDirectory directory, Options options) {
    this.directory = directory;
    this.options = options;
  }

  /**
   * Opens (or creates) the store kept under {@code dir}. A file that cannot be opened is moved
   * aside and replaced by an empty one; {@link #applied()} then reports {@link LogPosition#ZERO}.
   */
  public static MapDbPartitionStore open(Path dir, Options options) throws IOException {
    MapDbPartitionStore store = new MapDbPartitionStore(StoreDirectory.open(dir), options);
    Path current = store.directory.current();
    try {
      store.handle = openHandle(current.resolve(FILE_NAME), options);
    } catch (RuntimeException e) {
      LOG.warn(
          "Partition store {} did not open ({}); setting it aside and starting empty; "
              + "it will be rebuilt from the latest snapshot and the Raft log",
          current,
          e.toString());
      Path fresh = store.directory.quarantineCurrentAndCreateNext();
      store.handle = openHandle(fresh.resolve(FILE_NAME), options);
    }
    store.applied = new LogPosition(store.handle.term.get(), store.handle.index.get());
    store.durable = store.applied;
    return store;
  }

  private static DB.TreeMapMaker<byte[], byte[]> treeMap(DB db, String name, Options options) {
    DB.TreeMapMaker<byte[], byte[]> maker =
        db.treeMap(name, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY);
    // Only used when the map is created; an existing map keeps its stored layout.
    return options.valuesOutsideNodes() && !db.exists(name)
        ? maker.valuesOutsideNodesEnable()
        : maker;
  }

  private static Handle openHandle(Path file, Options options) {
    DBMaker.Maker maker = DBMaker.fileDB(file.toFile());
    maker = options.mmap() ? maker.fileMmapEnableIfSupported() : maker.fileChannelEnable();
    DB db =
        maker
            .cleanerHackEnable()
            .transactionEnable()
            .allocateIncrement(options.allocateIncrementBytes())
            .make();
    try {
      Map<Keyspace, BTreeMap<byte[], byte[]>> maps = new EnumMap<>(Keyspace.class);
      for (Keyspace k : Keyspace.values()) {
        maps.put(k, treeMap(db, "ks" + k.id(), options).createOrOpen());
      }
      Atomic.Long term = db.atomicLong("applied.term").createOrOpen();
      Atomic.Long index = db.atomicLong("applied.index").createOrOpen();
      db.commit();
      return new Handle(db, maps, term, index);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    return SortedMapReads.locked(lock.readLock(), () -> liveHandle().maps.get(space).get(key));
  }

  @Override
  public void scan(Keyspace space, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
    SortedMapReads.locked(
        lock.readLock(),
        () -> {
          SortedMapReads.scan(liveHandle().maps.get(space), from, to, visitor);
          return null;
        });
  }

  @Override
  public LogPosition applied() {
    return SortedMapReads.locked(lock.readLock(), () -> applied);
  }

  @Override
  public LogPosition durable() {
    return SortedMapReads.locked(lock.readLock(), () -> durable);
  }

  @Override
  public long count(Keyspace space) {
    return SortedMapReads.locked(lock.readLock(), () -> liveHandle().maps.get(space).sizeLong());
  }

  @Override
  public WriteBatch newBatch() {
    PendingWrites pending = new PendingWrites();
    return new WriteBatch() {
      @Override
      public void put(Keyspace space, byte[] key, byte[] value) {
        pending.put(space, key, value);
      }

      @Override
      public void delete(Keyspace space, byte[] key) {
        pending.delete(space, key);
      }

      @Override
      public byte[] get(Keyspace space, byte[] key) {
        return pending.touches(space, key)
            ? pending.pending(space, key)
            : MapDbPartitionStore.this.get(space, key);
      }

      @Override
      public void scan(
          Keyspace space,
          byte[] from,
          byte[] to,
          java.util.function.BiPredicate<byte[], byte[]> visitor) {
        pending.scan(MapDbPartitionStore.this, space, from, to, visitor);
      }

      @Override
      public void commit(LogPosition position) {
        commitBatch(pending, position);
      }
    };
  }

  private void commitBatch(PendingWrites pending, LogPosition position) {
    lock.writeLock().lock();
    try {
      Handle h = liveHandle();
      for (PendingWrites.Change c : pending.changes()) {
        if (c.value() == null) {
          h.maps.get(c.space()).remove(c.key());
          bytesSinceCommit += c.key().length;
        } else {
          h.maps.get(c.space()).put(c.key(), c.value());
          bytesSinceCommit += c.key().length + c.value().length;
        }
      }
      h.term.set(position.term());
      h.index.set(position.index());
      applied = position;
      if (++batchesSinceCommit >= options.commitEveryBatches()
          || bytesSinceCommit >= options.commitEveryBytes()) {
        commitLocked();
      }
    } catch (DBException e) {
      throw new StorageException("store write failed: " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void commitLocked() {
    liveHandle().db.commit();
    durable = applied;
    batchesSinceCommit = 0;
    bytesSinceCommit = 0;
  }

  @Override
  public void flush() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        commitLocked();
      }
    } catch (DBException e) {
      throw new StorageException("store commit failed: " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void exportSnapshot(OutputStream out) throws IOException {
    lock.readLock().lock();
    try {
      SnapshotFormat.write(this, out);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void importSnapshot(Path snapshotFile) throws IOException {
    SnapshotFormat.verify(snapshotFile);
    Path next = directory.createNext();
    Handle fresh = openHandle(next.resolve(FILE_NAME), options);
    LogPosition[] pos = new LogPosition[1];
    try {
      SnapshotFormat.read(
          snapshotFile,
          new SnapshotFormat.Sink() {
            @Override
            public void header(LogPosition p) {
              pos[0] = p;
            }

            private long uncommitted;

            @Override
            public void entry(Keyspace space, byte[] key, byte[] value) {
              fresh.maps.get(space).put(key, value);
              // The new file is not live until promoted, so intermediate commits only bound
              // what one transaction holds.
              uncommitted += key.length + value.length;
              if (uncommitted >= options.commitEveryBytes()) {
                fresh.db.commit();
                uncommitted = 0;
              }
            }
          });
      fresh.term.set(pos[0].term());
      fresh.index.set(pos[0].index());
      fresh.db.commit();
      fresh.db.close();
    } catch (IOException | RuntimeException e) {
      fresh.db.close();
      directory.discard(next);
      throw e;
    }
    lock.writeLock().lock();
    try {
      liveHandle().db.close();
      directory.promote(next);
      handle = openHandle(directory.current().resolve(FILE_NAME), options);
      applied = pos[0];
      durable = pos[0];
      batchesSinceCommit = 0;
      bytesSinceCommit = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private Handle liveHandle() {
    if (closed) {
      throw new StorageException("partition store is closed");
    }
    return handle;
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        handle.db.commit();
        durable = applied;
      } finally {
        // Close (and release the file lock) even when the commit failed, e.g. on a full disk: the
        // file then reopens at its last successful commit and the Raft log replays the rest.
        handle.db.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}

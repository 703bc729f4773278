package io.kvstore.core.storage.memory;

import io.kvstore.core.storage.Keyspace;
import io.kvstore.core.storage.LogPosition;
import io.kvstore.core.storage.PartitionStore;
import io.kvstore.core.storage.PendingWrites;
import io.kvstore.core.storage.SnapshotFormat;
import io.kvstore.core.storage.SortedMapReads;
import io.kvstore.core.storage.WriteBatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;

/** A partition store in heap memory. Every commit is "durable" for as long as the object lives. */
public final class InMemoryPartitionStore implements PartitionStore {
  private final Map<Keyspace, TreeMap<byte[], byte[]>> maps = new EnumMap<>(Keyspace.class);
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private LogPosition applied = LogPosition.ZERO;

  public InMemoryPartitionStore() {
    for (Keyspace k : Keyspace.values()) {
      maps.put(k, new TreeMap<>(Arrays::compareUnsigned));
    }
  }

  @Override
  public byte[] get(Keyspace space, byte[] key) {
    return SortedMapReads.locked(lock.readLock(), () -> maps.get(space).get(key));
  }

  @Override
  public void scan(Keyspace space, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
    SortedMapReads.locked(
        lock.readLock(),
        () -> {
          SortedMapReads.scan(maps.get(space), from, to, visitor);
          return null;
        });
  }

  @Override
  public LogPosition applied() {
    return SortedMapReads.locked(lock.readLock(), () -> applied);
  }

  @Override
  public long count(Keyspace space) {
    return SortedMapReads.locked(lock.readLock(), () -> (long) maps.get(space).size());
  }

  @Override
  public WriteBatch newBatch() {
    PendingWrites pending = new PendingWrites();
    return new WriteBatch() {
      @Override
      public void put(Keyspace space, byte[] key, byte[] value) {
        pending.put(space, key.clone(), value.clone());
      }

      @Override
      public void delete(Keyspace space, byte[] key) {
        pending.delete(space, key.clone());
      }

      @Override
      public byte[] get(Keyspace space, byte[] key) {
        return pending.touches(space, key)
            ? pending.pending(space, key)
            : InMemoryPartitionStore.this.get(space, key);
      }

      @Override
      public void scan(
          Keyspace space,
          byte[] from,
          byte[] to,
          java.util.function.BiPredicate<byte[], byte[]> visitor) {
        pending.scan(InMemoryPartitionStore.this, space, from, to, visitor);
      }

      @Override
      public void commit(LogPosition position) {
        lock.writeLock().lock();
        try {
          for (PendingWrites.Change c : pending.changes()) {
            if (c.value() == null) {
              maps.get(c.space()).remove(c.key());
            } else {
              maps.get(c.space()).put(c.key(), c.value());
            }
          }
          applied = position;
        } finally {
          lock.writeLock().unlock();
        }
      }
    };
  }

  @Override
  public void flush() {}

  @Override
  public LogPosition durable() {
    return applied();
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
    Map<Keyspace, TreeMap<byte[], byte[]>> fresh = new EnumMap<>(Keyspace.class);
    for (Keyspace k : Keyspace.values()) {
      fresh.put(k, new TreeMap<>(Arrays::compareUnsigned));
    }
    LogPosition[] pos = new LogPosition[1];
    SnapshotFormat.read(
        snapshotFile,
        new SnapshotFormat.Sink() {
          @Override
          public void header(LogPosition p) {
            pos[0] = p;
          }

          @Override
          public void entry(Keyspace space, byte[] key, byte[] value) {
            fresh.get(space).put(key, value);
          }
        });
    lock.writeLock().lock();
    try {
      maps.clear();
      maps.putAll(fresh);
      applied = pos[0];
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {}
}

package io.kvstore.core.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * One partition's materialized state. Writes come from one thread (the partition's apply thread);
 * reads from any thread.
 *
 * <p>Durability: {@link WriteBatch#commit} makes a batch visible; it becomes durable at the next
 * {@link #flush()} (or engine-chosen group commit). After a crash {@link #applied()} tells how far
 * the durable state reaches; the Raft log replays the rest, so entries at or below it must be
 * skipped.
 */
public interface PartitionStore extends ReadView, AutoCloseable {

  WriteBatch newBatch();

  /** Makes every committed batch durable. */
  void flush() throws IOException;

  /** The position up to which state is durable (at most {@link #applied()}). */
  LogPosition durable();

  /** Writes a consistent, checksummed copy of the whole state to {@code out}. */
  void exportSnapshot(OutputStream out) throws IOException;

  /**
   * Replaces the whole state with a snapshot file written by {@link #exportSnapshot}. The file is
   * verified before anything changes; on failure the old state stays.
   */
  void importSnapshot(Path snapshotFile) throws IOException;

  @Override
  void close() throws IOException;
}

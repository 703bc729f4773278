package io.kvstore.raft.server;

import io.kvstore.raft.statemachine.StorageEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the node's data directory: free space (against {@code storage.disk.min-free-mb}, with
 * {@code storage.disk.resume-free-mb} to come back) and a small write + fsync probe; state machines
 * also report real I/O errors (a failed Raft log write, store commit or snapshot). The disk is then
 * degraded — LOW_SPACE before anything failed, FAILED after — until it has room and the probe
 * writes again.
 *
 * <p>Logging: exactly one line when the state changes (no stack traces), and one reminder a minute
 * while it stays degraded. Reported errors are not logged each; the first one's message is the
 * reason shown in the node's status.
 *
 * <p>Threading: {@link #check()} runs on the node's single watchdog thread; everything else may be
 * called from any thread.
 */
final class DiskWatchdog implements StorageEvents {
  private static final Logger LOG = LoggerFactory.getLogger(DiskWatchdog.class);
  static final long REMIND_EVERY_MS = 60_000;

  enum State {
    OK,
    LOW_SPACE,
    FAILED
  }

  /** A snapshot of the disk's condition, as shown in status. */
  record Health(State state, String reason, long freeBytes, long totalBytes, long sinceMillis) {
    boolean writable() {
      return state == State.OK;
    }
  }

  private final String nodeId;
  private final Path dir;
  private final long minFree;
  private final long resumeFree;
  private final AtomicReference<String> reported = new AtomicReference<>();
  private volatile Health health;
  private long lastRemindMs;
  private volatile Runnable wakeUp = () -> {};

  DiskWatchdog(String nodeId, Path dir, long minFree, long resumeFree) {
    this.nodeId = nodeId;
    this.dir = dir;
    this.minFree = minFree;
    this.resumeFree = resumeFree;
    this.health = new Health(State.OK, "", 0, 0, System.currentTimeMillis());
  }

  /** Asks for an early {@link #check()} whenever an error is reported (so it acts at once). */
  void onReport(Runnable wakeUp) {
    this.wakeUp = wakeUp;
  }

  Health health() {
    return health;
  }

  Path dir() {
    return dir;
  }

  long minFreeBytes() {
    return minFree;
  }

  @Override
  public boolean writable() {
    return health.writable() && reported.get() == null;
  }

  @Override
  public void ioError(int partition, String where, Throwable cause) {
    String what =
        (partition < 0 ? "meta group" : "partition " + partition)
            + " "
            + where
            + ": "
            + root(cause);
    if (reported.compareAndSet(null, what)) {
      wakeUp.run();
    }
  }

  /** Looks at the disk once; returns the (possibly new) health. */
  Health check() {
    long free = -1;
    long total = 0;
    String probeError = null;
    try {
      FileStore store = Files.getFileStore(dir);
      free = store.getUsableSpace();
      total = store.getTotalSpace();
    } catch (IOException e) {
      probeError = "cannot read free space: " + root(e);
    }
    if (probeError == null) {
      probeError = probe();
    }
    Health before = health;
    String error = reported.get();
    State next;
    String reason;
    if (probeError != null) {
      next = State.FAILED;
      reason = probeError;
    } else if (before.state() == State.OK) {
      if (error != null) {
        next = State.FAILED;
        reason = error;
      } else if (free < minFree) {
        next = State.LOW_SPACE;
        reason = mb(free) + " free < " + mb(minFree) + " (storage.disk.min-free-mb)";
      } else {
        next = State.OK;
        reason = "";
      }
    } else if (free >= resumeFree) {
      next = State.OK;
      reason = "";
    } else {
      next = before.state() == State.FAILED || error != null ? State.FAILED : State.LOW_SPACE;
      reason =
          before.state() == State.FAILED && !before.reason().isEmpty()
              ? before.reason()
              : mb(free)
                  + " free, waiting for "
                  + mb(resumeFree)
                  + " (storage.disk.resume-free-mb)";
    }
    long now = System.currentTimeMillis();
    if (next != before.state()) {
      health = new Health(next, reason, Math.max(0, free), total, now);
      lastRemindMs = now;
      if (next == State.OK) {
        reported.set(null);
        LOG.warn(
            "node {}: data disk {} is writable again ({} free): taking writes and leadership again",
            nodeId,
            dir,
            mb(free));
      } else if (before.state() != State.OK) {
        // Worse while already degraded (almost full, then a failed write): say what changed,
        // without repeating the refusal line.
        LOG.error(
            "node {}: data disk {} now {} ({}); writes stay refused", nodeId, dir, next, reason);
      } else {
        LOG.error(
            "node {}: data disk {} {} ({}): refusing writes, handing leadership to other replicas"
                + " until it has {} free",
            nodeId,
            dir,
            next == State.LOW_SPACE ? "is almost full" : "failed",
            reason,
            mb(resumeFree));
      }
    } else {
      health = new Health(next, reason, Math.max(0, free), total, before.sinceMillis());
      if (next != State.OK && now - lastRemindMs >= REMIND_EVERY_MS) {
        lastRemindMs = now;
        LOG.warn(
            "node {}: data disk {} still {} for {} s ({})",
            nodeId,
            dir,
            next,
            TimeUnit.MILLISECONDS.toSeconds(now - before.sinceMillis()),
            reason);
      }
    }
    return health;
  }

  /** Writes and fsyncs a small file; null when that worked, else why not. */
  private String probe() {
    Path file = dir.resolve(".disk-probe");
    try {
      try (FileChannel ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.deleteIfExists(file);
      return null;
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // the probe's own error is the news
      }
      return "write probe failed: " + root(e);
    }
  }

  static String mb(long bytes) {
    return (bytes >> 20) + " MB";
  }

  /** The innermost cause's message, on one line. */
  static String root(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    String m = r.getMessage();
    String s = m == null ? r.getClass().getSimpleName() : m;
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
